// The server's commands as the extension runs them. Pure: unit-tested without VS Code.

/** Command ids the server registers (the language client turns each into a VS Code command, so
 * the extension must not register these ids itself). */
export const SERVER = {
  generate: "wishful.generate",
  regenerate: "wishful.regenerate",
  generateAll: "wishful.generateAll",
  openGenerated: "wishful.openGenerated",
  clearCache: "wishful.clearCache",
  showProvenance: "wishful.showProvenance",
  modules: "wishful.modules",
} as const;

/** Commands that call a model: they run inside a cancellable notification. */
export const GENERATING: ReadonlySet<string> = new Set([SERVER.generate, SERVER.regenerate, SERVER.generateAll]);

/** The extension's own commands (palette, status item). */
export const CLIENT = {
  generateAllInFile: "wishful.vscode.generateAllInFile",
  regenerateModule: "wishful.vscode.regenerateModule",
  openGeneratedCode: "wishful.vscode.openGeneratedCode",
  clearCache: "wishful.vscode.clearCache",
  restartServer: "wishful.vscode.restartServer",
  showLogs: "wishful.vscode.showLogs",
  setApiKey: "wishful.vscode.setApiKey",
  statusMenu: "wishful.vscode.statusMenu",
} as const;

interface CommandArgument {
  module?: unknown;
  names?: unknown;
  uri?: unknown;
}

function firstArgument(args: unknown[]): CommandArgument {
  const first = args[0];
  return first && typeof first === "object" ? (first as CommandArgument) : {};
}

/** Title of the progress notification for a generating command. */
export function progressTitle(command: string, args: unknown[]): string {
  const arg = firstArgument(args);
  if (command === SERVER.generateAll) {
    const file = typeof arg.uri === "string" ? decodeURIComponent(arg.uri.split("/").pop() ?? "") : "";
    return file ? `wishful: generating the wishes in ${file}` : "wishful: generating every wish";
  }
  const module = typeof arg.module === "string" ? arg.module : "the module";
  const verb = command === SERVER.regenerate ? "regenerating" : "generating";
  return `wishful: ${verb} ${module}`;
}

export interface GenerationResult {
  status?: string;
  summary?: string;
  module?: string;
  uri?: string;
  message?: string;
  generated?: number;
  failed?: number;
  results?: GenerationResult[];
}

/** One line for a finished generation, and the file to offer opening (if one was written). */
export function describeResult(result: GenerationResult | undefined): { text: string; open?: string; ok: boolean } {
  if (!result || typeof result !== "object") return { text: "wishful: the server returned no result", ok: false };
  if (Array.isArray(result.results)) {
    const written = result.results.filter((r) => r.status === "ok");
    const open = written.length === 1 ? written[0].uri : undefined;
    if (result.results.length === 0) return { text: "wishful: every wish in this file is already generated", ok: true };
    const failed = result.failed ?? result.results.length - written.length;
    const text = `wishful: generated ${written.length} module(s)` + (failed ? `; ${failed} failed (see the log)` : "");
    return { text, open, ok: failed === 0 };
  }
  switch (result.status) {
    case "ok":
      return { text: `wishful: ${result.summary ?? `generated ${result.module}`}`, open: result.uri, ok: true };
    case "cancelled":
      return { text: `wishful: cancelled; nothing was written for ${result.module}`, ok: true };
    case "declined":
      return { text: `wishful: nothing was written for ${result.module}`, ok: true };
    case "disabled":
      return { text: "wishful: generation is turned off for this folder", ok: false };
    default:
      return { text: `wishful: could not generate ${result.module ?? "the module"}: ${result.message ?? "see the log"}`, ok: false };
  }
}

export interface ModuleEntry {
  module: string;
  state: string;
  names: string[];
  path: string;
  exists: boolean;
}

const STATE_LABELS: Record<string, string> = {
  ok: "generated",
  missing: "not generated yet",
  "missing-name": "lacks a name",
  stale: "stale (hints changed)",
  placeholder: "offline placeholders",
  invalid: "fails its checks",
  edited: "edited by hand",
};

/** Quick-pick rows for `wishful.modules` entries. */
export function moduleItems(modules: ModuleEntry[], onlyExisting: boolean): { label: string; description: string; detail: string; entry: ModuleEntry }[] {
  return modules
    .filter((m) => !onlyExisting || m.exists)
    .map((m) => ({
      label: m.module,
      description: STATE_LABELS[m.state] ?? m.state,
      detail: m.names.length ? m.names.join(", ") : "",
      entry: m,
    }));
}
