// What the language status item says. Pure: unit-tested without VS Code.

/** The server's `wishful/status` notification. */
export interface Status {
  version?: string;
  folders: {
    uri: string;
    root: string;
    model: string;
    offline: boolean;
    cacheDir: string;
    generationEnabled: boolean;
    preview: boolean;
  }[];
}

export type View =
  | { state: "starting" }
  | { state: "stopped" }
  | { state: "failed"; message: string }
  | { state: "running"; busy: boolean; document?: string; version?: string; trusted: boolean };

export interface Shown {
  text: string;
  detail: string;
  severity: "information" | "warning" | "error";
  busy: boolean;
  /** "menu" (logs and settings) or "logs" */
  command: "menu" | "logs";
  commandTitle: string;
}

/** The folder of `document` (the longest folder URI that contains it), else the first. */
export function folderOf(status: Status | undefined, document: string | undefined): Status["folders"][number] | undefined {
  const folders = status?.folders ?? [];
  if (document) {
    const inside = folders
      .filter((f) => document === f.uri || document.startsWith(f.uri.endsWith("/") ? f.uri : f.uri + "/"))
      .sort((a, b) => b.uri.length - a.uri.length);
    if (inside.length) return inside[0];
  }
  return folders[0];
}

export function describeStatus(view: View, status: Status | undefined): Shown {
  switch (view.state) {
    case "starting":
      return { text: "wishful: starting", detail: "", severity: "information", busy: true, command: "logs", commandTitle: "Show logs" };
    case "stopped":
      return { text: "wishful: stopped", detail: "the language server is not running", severity: "warning", busy: false, command: "menu", commandTitle: "Logs and settings" };
    case "failed":
      return { text: "wishful: not running", detail: view.message.replace(/^wishful: /, ""), severity: "error", busy: false, command: "menu", commandTitle: "Logs and settings" };
    case "running": {
      const folder = folderOf(status, view.document);
      const model = !folder ? "" : folder.offline ? "offline model" : folder.model;
      const parts: string[] = [];
      if (status?.version ?? view.version) parts.push(`wishful-lsp ${status?.version ?? view.version}`);
      if (folder && !folder.generationEnabled) parts.push(view.trusted ? "generation off" : "generation off (untrusted workspace)");
      if (folder?.preview) parts.push("review before writing");
      if (view.busy) parts.push("generating…");
      return {
        text: model ? `$(sparkle) ${model}` : "$(sparkle) wishful",
        detail: parts.join(" · "),
        severity: "information",
        busy: view.busy,
        command: "menu",
        commandTitle: "Logs and settings",
      };
    }
  }
}
