// Checking an interpreter before the server starts, so a missing install is a clear message with
// a way out instead of a crash loop. The parts here are pure; extension.ts runs the process.

import type { Interpreter } from "./interpreter";
import { describeSource } from "./interpreter";

/** Printed as one JSON line by `python -c PROBE`: what the interpreter is and what it lacks. */
export const PROBE = [
  "import importlib.util, json, sys",
  "need = ('wishful_lsp', 'wishful', 'pygls', 'lsprotocol', 'litellm')",
  "missing = []",
  "for name in need:",
  "    try:",
  "        found = importlib.util.find_spec(name) is not None",
  "    except Exception:",
  "        found = False",
  "    if not found:",
  "        missing.append(name)",
  "version = None",
  "if 'wishful_lsp' not in missing:",
  "    try:",
  "        import wishful_lsp",
  "        version = wishful_lsp.__version__",
  "    except Exception as exc:",
  "        missing.append('wishful_lsp (%s: %s)' % (type(exc).__name__, exc))",
  "print(json.dumps({'executable': sys.executable, 'python': list(sys.version_info[:3]),",
  "                  'missing': missing, 'version': version}))",
].join("\n");

/** Python the server supports (its `requires-python`). */
export const MIN_PYTHON: [number, number] = [3, 10];

export interface ProbeRun {
  /** the spawn error's code ("ENOENT", "EACCES", "ETIMEDOUT"...), when the process did not run */
  errorCode?: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export type Action = "install" | "selectInterpreter" | "openSettings" | "showLogs";

export interface Ready {
  ok: true;
  executable: string;
  python: string;
  version: string;
}

export interface Problem {
  ok: false;
  kind: "not-found" | "failed" | "too-old" | "not-installed";
  /** the one-line message shown to the user */
  message: string;
  actions: Action[];
  executable?: string;
}

export const ACTION_TITLES: Record<Action, string> = {
  // short: a notification's buttons share one line, and longer labels are cut off
  install: "Install here",
  selectInterpreter: "Select Python",
  openSettings: "Settings",
  showLogs: "Show logs",
};

/** What a probe run means for starting the server. */
export function classifyProbe(interpreter: Interpreter, run: ProbeRun): Ready | Problem {
  const who = `${interpreter.command} (${describeSource(interpreter.source)})`;
  if (run.errorCode === "ENOENT" || run.errorCode === "EACCES") {
    return {
      ok: false, kind: "not-found",
      message: `wishful: cannot run the Python interpreter ${who}: ${run.errorCode === "ENOENT" ? "no such file or command" : "permission denied"}.`,
      actions: ["selectInterpreter", "openSettings"],
    };
  }
  let info: { executable?: string; python?: number[]; missing?: string[]; version?: string | null } | undefined;
  for (const line of run.stdout.split(/\r?\n/).reverse()) {
    if (!line.trim().startsWith("{")) continue;
    try {
      info = JSON.parse(line);
      break;
    } catch {
      // not our line
    }
  }
  if (!info || run.exitCode !== 0) {
    const why = run.errorCode === "ETIMEDOUT" ? "it did not answer within 30 s"
      : lastLine(run.stderr) || `it exited with code ${run.exitCode}`;
    return {
      ok: false, kind: "failed",
      message: `wishful: the Python interpreter ${who} does not work: ${why}.`,
      actions: ["selectInterpreter", "openSettings", "showLogs"],
    };
  }
  const executable = info.executable || interpreter.command;
  const python = (info.python ?? []).join(".");
  const [major = 0, minor = 0] = info.python ?? [];
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return {
      ok: false, kind: "too-old", executable,
      message: `wishful: ${executable} is Python ${python}; the wishful language server needs Python ${MIN_PYTHON.join(".")} or newer.`,
      actions: ["selectInterpreter", "openSettings"],
    };
  }
  const missing = info.missing ?? [];
  if (missing.length > 0 || !info.version) {
    const what = missing.some((m) => m.startsWith("wishful_lsp"))
      ? "the wishful language server (wishful-lsp) is not installed"
      : `wishful-lsp is installed without all of its dependencies (missing: ${missing.join(", ")})`;
    return {
      ok: false, kind: "not-installed", executable,
      message: `wishful: ${what} in ${executable} (${describeSource(interpreter.source)}).`,
      actions: ["install", "selectInterpreter", "openSettings"],
    };
  }
  return { ok: true, executable, python, version: info.version };
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "";
}

/** `python -m pip install` of the wheels shipped inside the extension (their dependencies come
 * from the user's package index). */
export function installArgs(wheels: string[]): string[] {
  return ["-m", "pip", "install", "--disable-pip-version-check", ...wheels];
}

/** The one-line reason a pip run failed, and what to do about it. */
export function explainInstallFailure(output: string, exitCode: number | null): string {
  if (/externally-managed-environment/.test(output)) {
    return "this Python is managed by the operating system (PEP 668); create a virtual environment " +
      "(python3 -m venv .venv) and select it";
  }
  if (/No module named pip/.test(output)) {
    return "this Python has no pip; install pip or select a virtual environment";
  }
  if (/(Could not find a version|No matching distribution|Failed to establish a new connection|Network is unreachable)/.test(output)) {
    return "pip could not download the server's dependencies; check the network or your package index";
  }
  const last = lastLine(output.split(/\r?\n/).filter((l) => /error/i.test(l)).join("\n"));
  return last || `pip exited with code ${exitCode}`;
}

function versionParts(version: string): number[] {
  return version.split(/[.+-]/).map((part) => Number.parseInt(part, 10)).filter((n) => !Number.isNaN(n));
}

/** A note when the installed server is older than the one the extension ships (it still starts). */
export function olderServerNote(ready: Ready, bundled: string): string | undefined {
  const have = versionParts(ready.version);
  const ship = versionParts(bundled);
  for (let i = 0; i < Math.max(have.length, ship.length); i++) {
    const a = have[i] ?? 0;
    const b = ship[i] ?? 0;
    if (a !== b) {
      return a < b
        ? `wishful: ${ready.executable} has wishful-lsp ${ready.version}; this extension ships ${bundled}, whose features it may rely on.`
        : undefined;
    }
  }
  return undefined;
}
