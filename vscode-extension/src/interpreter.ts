// Which Python runs the language server. Pure: unit-tested without VS Code.

import * as os from "os";
import * as path from "path";

export type InterpreterSource = "setting" | "python-extension" | "path";

export interface Interpreter {
  /** executable to spawn (an absolute path, or a command looked up on PATH) */
  command: string;
  /** where the choice came from, for messages ("wishful.interpreter", ...) */
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** `wishful.interpreter` as it applies (already trust-filtered); empty or undefined when unset */
  setting?: string;
  /** the Python extension's active environment for the workspace, when that extension is installed */
  pythonExtension?: string;
  /** the first workspace folder, for `${workspaceFolder}` in the setting */
  workspaceFolder?: string;
  platform?: NodeJS.Platform;
  home?: string;
}

/** `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` in a configured path. */
export function expandPath(value: string, inputs: InterpreterInputs, env: NodeJS.ProcessEnv = process.env): string {
  const home = inputs.home ?? os.homedir();
  let out = value.trim()
    .replace(/\$\{userHome\}/g, home)
    .replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => env[name] ?? "");
  if (inputs.workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, inputs.workspaceFolder);
  }
  if (out === "~" || out.startsWith("~/")) out = path.join(home, out.slice(1));
  if (inputs.workspaceFolder !== undefined && out.includes(path.sep) && !path.isAbsolute(out)) {
    out = path.resolve(inputs.workspaceFolder, out); // "./.venv/bin/python" is relative to the workspace
  }
  return out;
}

/** The setting, else the Python extension's environment, else `python3` (`python` on Windows). */
export function chooseInterpreter(inputs: InterpreterInputs): Interpreter {
  if (inputs.setting && inputs.setting.trim()) {
    return { command: expandPath(inputs.setting, inputs), source: "setting" };
  }
  if (inputs.pythonExtension && inputs.pythonExtension.trim()) {
    return { command: inputs.pythonExtension.trim(), source: "python-extension" };
  }
  return { command: (inputs.platform ?? process.platform) === "win32" ? "python" : "python3", source: "path" };
}

export function describeSource(source: InterpreterSource): string {
  switch (source) {
    case "setting":
      return "from the wishful.interpreter setting";
    case "python-extension":
      return "the Python extension's active environment";
    case "path":
      return "found on PATH (no wishful.interpreter setting, no Python extension)";
  }
}
