// wishful for VS Code: starts the wishful language server in the chosen Python and adds what a
// plain language client lacks (cancellable generation, API keys, status, recovery from a missing
// install). Diagnostics, quick fixes, hover and navigation come from the server.

import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  ShowMessageNotification,
  State,
  TransportKind,
  WorkDoneProgress,
} from "vscode-languageclient/node";
import {
  CLIENT,
  GENERATING,
  GenerationResult,
  ModuleEntry,
  SERVER,
  describeResult,
  moduleItems,
  progressTitle,
} from "./commands";
import { Interpreter, chooseInterpreter } from "./interpreter";
import { ApiKeys, KNOWN_VARIABLES, validVariable, variableFor } from "./keys";
import {
  ACTION_TITLES, Action, PROBE, Problem, ProbeRun, Ready, classifyProbe, explainInstallFailure, installArgs, olderServerNote,
} from "./probe";
import { activeInterpreter, onInterpreterChange, pythonExtensionInstalled } from "./python";
import { RestartQueue } from "./restart";
import { interpreterSetting, needsRestart, serverSettings, shouldNotify } from "./settings";
import type { Status, View } from "./status";
import { StatusView } from "./statusItem";
import { traceChannel } from "./traceChannel";

let extension: Wishful | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new Wishful(context);
  context.subscriptions.push(extension);
  await extension.start();
}

export async function deactivate(): Promise<void> {
  await extension?.stopClient();
}

class Wishful implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel("wishful", { log: true });
  private readonly trace = traceChannel("wishful trace");
  private readonly keys: ApiKeys;
  private readonly status = new StatusView(CLIENT.statusMenu, CLIENT.showLogs);
  private readonly restarts = new RestartQueue(() => this.restartNow(), 150);
  private readonly disposables: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private problem: Problem | undefined;
  private busy = 0;
  private progressTokens = 0;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.keys = new ApiKeys(context.secrets);
    const register = (id: string, run: (...args: unknown[]) => unknown) =>
      this.disposables.push(vscode.commands.registerCommand(id, run));
    register(CLIENT.generateAllInFile, () => this.generateAllInFile());
    register(CLIENT.regenerateModule, () => this.regenerateModule());
    register(CLIENT.openGeneratedCode, () => this.openGeneratedCode());
    register(CLIENT.clearCache, () => this.clearCache());
    register(CLIENT.restartServer, () => this.restarts.request());
    register(CLIENT.showLogs, () => this.output.show());
    register(CLIENT.setApiKey, () => this.setApiKey());
    register(CLIENT.statusMenu, () => this.statusMenu());
    this.disposables.push(
      this.output,
      this.trace,
      this.status,
      vscode.workspace.onDidChangeConfiguration((event) => this.configurationChanged(event)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.output.info("workspace trusted: restarting the server with generation enabled");
        void this.restarts.request();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.status.show(this.statusNow())),
    );
  }

  async start(): Promise<void> {
    const listener = await onInterpreterChange(() => {
      if (!this.setting()) {
        this.output.info("the Python extension's environment changed: restarting the server");
        void this.restarts.request();
      }
    });
    if (listener) this.disposables.push(listener);
    await this.restarts.request();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.stopClient();
  }

  // ------------------------------------------------------------------ lifecycle

  private setting(): string | undefined {
    const config = vscode.workspace.getConfiguration("wishful");
    return interpreterSetting((key) => config.inspect(key), vscode.workspace.isTrusted);
  }

  private async interpreter(): Promise<Interpreter> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return chooseInterpreter({
      setting: this.setting(),
      // an untrusted workspace's environment (say its own .venv) is not run either
      pythonExtension: vscode.workspace.isTrusted ? await activeInterpreter(folder?.uri) : undefined,
      workspaceFolder: folder?.uri.fsPath,
    });
  }

  /** Where Python processes start: not the workspace, whose files would shadow the server's
   * modules (`python -m` puts the working directory first on sys.path). */
  private get neutralDirectory(): string {
    return this.context.extensionPath;
  }

  private async restartNow(): Promise<void> {
    await this.stopClient();
    this.problem = undefined;
    this.status.show({ state: "starting" });
    const interpreter = await this.interpreter();
    const checked = await this.probe(interpreter);
    if (!checked.ok) {
      this.problem = checked;
      this.output.error(checked.message);
      this.status.show(this.statusNow());
      this.showProblem(checked);
      return;
    }
    await this.startClient(checked);
  }

  private probe(interpreter: Interpreter): Promise<Ready | Problem> {
    this.output.info(`checking ${interpreter.command} (${interpreter.source})`);
    return new Promise((resolve) => {
      const run: ProbeRun = { exitCode: null, stdout: "", stderr: "" };
      const child = spawn(interpreter.command, ["-c", PROBE],
        { timeout: 30_000, env: this.baseEnvironment(), cwd: this.neutralDirectory });
      child.stdout.on("data", (chunk: Buffer) => (run.stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (run.stderr += chunk.toString()));
      child.on("error", (error: NodeJS.ErrnoException) => {
        run.errorCode = error.code;
      });
      child.on("close", (code, signal) => {
        run.exitCode = code;
        if (signal === "SIGTERM" && !run.errorCode) run.errorCode = "ETIMEDOUT";
        resolve(classifyProbe(interpreter, run));
      });
    });
  }

  private baseEnvironment(): NodeJS.ProcessEnv {
    return { ...process.env, PYTHONUNBUFFERED: "1", PYTHONIOENCODING: "utf-8" };
  }

  private async startClient(ready: Ready): Promise<void> {
    const env = { ...this.baseEnvironment(), ...(await this.keys.environment()) };
    const serverOptions: ServerOptions = {
      command: ready.executable,
      args: ["-m", "wishful_lsp"],
      transport: TransportKind.stdio,
      options: { env, cwd: this.neutralDirectory },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      revealOutputChannelOn: RevealOutputChannelOn.Never, // the status item and messages link to the log
      initializationOptions: this.settingsFor(undefined),
      markdown: { isTrusted: false, supportHtml: false },
      middleware: {
        executeCommand: (command, args, next) =>
          GENERATING.has(command) ? this.generate(command, args) : next(command, args),
        workspace: {
          configuration: (params, token, next) => {
            if (params.items.every((item) => item.section === "wishful")) {
              return params.items.map((item) => this.settingsFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined));
            }
            return next(params, token);
          },
        },
      },
    };
    const client = new LanguageClient("wishful", "wishful", serverOptions, clientOptions);
    client.onNotification(ShowMessageNotification.type, (message) => this.serverMessage(message.type, message.message));
    client.onNotification("wishful/status", (status: Status) => {
      this.status.update(status);
      this.status.show(this.statusNow());
    });
    client.onDidChangeState((change) => {
      if (this.client !== client) return;
      if (change.newState === State.Stopped) this.status.show({ state: "stopped" });
      if (change.newState === State.Running) this.status.show(this.statusNow(ready));
    });
    this.client = client;
    this.output.info(`starting wishful-lsp ${ready.version}: ${ready.executable} -m wishful_lsp (Python ${ready.python})`);
    try {
      await client.start();
      this.status.show(this.statusNow(ready));
      const note = olderServerNote(ready, String(this.context.extension.packageJSON.version));
      if (note) {
        const update = "Update";
        void vscode.window.showInformationMessage(note, update).then((choice) => {
          if (choice === update) void this.install(ready.executable);
        });
      }
    } catch (error) {
      const message = `wishful: the language server did not start: ${errorText(error)}`;
      this.problem = { ok: false, kind: "failed", message, actions: ["showLogs", "selectInterpreter", "openSettings"] };
      this.output.error(message);
      this.status.show(this.statusNow());
      this.showProblem(this.problem);
    }
  }

  async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5_000);
      } catch (error) {
        this.output.warn(`stopping the server: ${errorText(error)}`);
      }
      await client.dispose().catch(() => undefined);
    }
  }

  private settingsFor(scope: vscode.Uri | undefined): Record<string, unknown> {
    const config = vscode.workspace.getConfiguration("wishful", scope);
    return serverSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
  }

  private configurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration("wishful")) return;
    if (needsRestart((section) => event.affectsConfiguration(section))) {
      this.output.info("wishful.interpreter changed: restarting the server");
      void this.restarts.request();
    } else if (this.client?.isRunning()) {
      // the server asks for each folder's settings again (answered by the middleware above)
      void this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  // ------------------------------------------------------------------ status and messages

  private statusNow(ready?: Ready): View {
    if (this.problem) return { state: "failed", message: this.problem.message };
    if (!this.client) return { state: "starting" };
    return {
      state: "running",
      busy: this.busy > 0,
      document: vscode.window.activeTextEditor?.document.uri.toString(),
      version: ready?.version,
      trusted: vscode.workspace.isTrusted,
    };
  }

  private serverMessage(type: number, message: string): void {
    const level = type === 1 ? "error" : type === 2 ? "warn" : "info";
    this.output[level](message);
    if (!shouldNotify(vscode.workspace.getConfiguration("wishful").get("showNotifications"), type)) return;
    const show = type === 1 ? vscode.window.showErrorMessage : type === 2 ? vscode.window.showWarningMessage
      : vscode.window.showInformationMessage;
    const actions = type <= 2 ? [ACTION_TITLES.showLogs] : [];
    void show(message, ...actions).then((choice) => {
      if (choice === ACTION_TITLES.showLogs) this.output.show();
    });
  }

  private showProblem(problem: Problem): void {
    const titles = problem.actions.map((a) => ACTION_TITLES[a]);
    void vscode.window.showErrorMessage(problem.message, ...titles).then((choice) => {
      const action = problem.actions.find((a) => ACTION_TITLES[a] === choice);
      if (action) void this.act(action, problem);
    });
  }

  private async act(action: Action, problem: Problem): Promise<void> {
    switch (action) {
      case "install":
        return this.install(problem.executable);
      case "selectInterpreter":
        return this.selectInterpreter();
      case "openSettings":
        await vscode.commands.executeCommand("workbench.action.openSettings", "wishful.interpreter");
        return;
      case "showLogs":
        this.output.show();
        return;
    }
  }

  private async selectInterpreter(): Promise<void> {
    if (pythonExtensionInstalled() && !this.setting()) {
      await vscode.commands.executeCommand("python.setInterpreter");
      return;
    }
    const picked = await vscode.window.showOpenDialog({
      title: "Python interpreter for the wishful language server",
      openLabel: "Use this interpreter",
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked?.[0]) return;
    const target = vscode.workspace.workspaceFolders && vscode.workspace.isTrusted
      ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration("wishful").update("interpreter", picked[0].fsPath, target);
  }

  /** pip-install the server wheels shipped in the extension into `executable`, showing pip's output. */
  private async install(executable: string | undefined): Promise<void> {
    if (!executable) return;
    const dir = this.context.asAbsolutePath(path.join("bundled", "wheels"));
    const wheels = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".whl")).map((f) => path.join(dir, f)) : [];
    if (wheels.length === 0) {
      void vscode.window.showErrorMessage("wishful: this build of the extension has no bundled server; run `pip install wishful-lsp` in that environment.");
      return;
    }
    const args = installArgs(wheels);
    this.output.show(true);
    this.output.info(`$ ${executable} ${args.join(" ")}`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `wishful: installing the language server into ${executable}`, cancellable: true },
      (progress, token) => new Promise<{ code: number | null; output: string }>((resolve) => {
        let output = "";
        const child = spawn(executable, args, { env: this.baseEnvironment(), cwd: this.neutralDirectory });
        token.onCancellationRequested(() => child.kill());
        const take = (chunk: Buffer) => {
          const text = chunk.toString();
          output += text;
          for (const line of text.split(/\r?\n/).filter((l) => l.trim())) {
            this.output.info(`pip: ${line}`);
            if (/^(Collecting|Installing|Successfully|Processing)/.test(line.trim())) progress.report({ message: line.trim().slice(0, 80) });
          }
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        child.on("error", (error) => resolve({ code: null, output: output + String(error) }));
        child.on("close", (code) => resolve({ code, output }));
      }),
    );
    if (result.code === 0) {
      void vscode.window.showInformationMessage(`wishful: installed the language server into ${executable}; starting it.`);
      await this.restarts.request();
    } else {
      const why = explainInstallFailure(result.output, result.code);
      this.output.error(`installing into ${executable} failed: ${why}`);
      void vscode.window.showErrorMessage(`wishful: could not install the language server into ${executable}: ${why}.`,
        ACTION_TITLES.showLogs, ACTION_TITLES.selectInterpreter).then((choice) => {
        if (choice === ACTION_TITLES.showLogs) this.output.show();
        if (choice === ACTION_TITLES.selectInterpreter) void this.selectInterpreter();
      });
    }
  }

  // ------------------------------------------------------------------ commands

  private running(): LanguageClient | undefined {
    if (this.client?.isRunning()) return this.client;
    if (this.problem) this.showProblem(this.problem);
    else void vscode.window.showWarningMessage("wishful: the language server is not running yet.", ACTION_TITLES.showLogs)
      .then((choice) => choice && this.output.show());
    return undefined;
  }

  /** A generating server command inside a cancellable notification; Cancel sends `$/cancelRequest`. */
  private generate(command: string, args: unknown[]): Promise<unknown> {
    const client = this.running();
    if (!client) return Promise.resolve(undefined);
    return Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: progressTitle(command, args), cancellable: true },
      async (progress, token) => {
        const workDoneToken = `wishful-vscode-${++this.progressTokens}`;
        const listener = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
          if (value.kind !== "end" && value.message) progress.report({ message: value.message });
        });
        this.busy++;
        this.status.show(this.statusNow());
        try {
          const result = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args, workDoneToken }, token);
          this.report(result as GenerationResult);
          return result;
        } catch (error) {
          if (token.isCancellationRequested) {
            vscode.window.setStatusBarMessage("wishful: generation cancelled; nothing was written", 8_000);
            return { status: "cancelled" };
          }
          const message = `wishful: ${command} failed: ${errorText(error)}`;
          this.output.error(message);
          void vscode.window.showErrorMessage(message, ACTION_TITLES.showLogs).then((c) => c && this.output.show());
          return undefined;
        } finally {
          listener.dispose();
          this.busy--;
          this.status.show(this.statusNow());
        }
      },
    ));
  }

  private report(result: GenerationResult): void {
    const { text, open, ok } = describeResult(result);
    vscode.window.setStatusBarMessage(text, 8_000);
    // failures already reached the user as the server's error message
    if (!ok || result?.status === "cancelled") return;
    if (!shouldNotify(vscode.workspace.getConfiguration("wishful").get("showNotifications"), 3)) return;
    const openTitle = "Open generated code";
    void vscode.window.showInformationMessage(text, ...(open ? [openTitle] : [])).then((choice) => {
      if (choice === openTitle && open) void vscode.window.showTextDocument(vscode.Uri.parse(open));
    });
  }

  private async execute<T>(command: string, argument: Record<string, unknown>): Promise<T | undefined> {
    const client = this.running();
    if (!client) return undefined;
    if (GENERATING.has(command)) return (await this.generate(command, [argument])) as T;
    try {
      return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [argument] })) as T;
    } catch (error) {
      void vscode.window.showErrorMessage(`wishful: ${command} failed: ${errorText(error)}`);
      return undefined;
    }
  }

  private pythonEditor(): vscode.TextEditor | undefined {
    const editor = vscode.window.activeTextEditor;
    return editor?.document.languageId === "python" ? editor : undefined;
  }

  /** `{uri}` of the active Python file, else `{folder}` of the (picked) workspace folder. */
  private async scope(): Promise<Record<string, string> | undefined> {
    const editor = this.pythonEditor();
    if (editor) return { uri: editor.document.uri.toString() };
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showWarningMessage("wishful: open a Python file or a folder first.");
      return undefined;
    }
    const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick();
    return folder ? { folder: folder.uri.toString() } : undefined;
  }

  private async generateAllInFile(): Promise<void> {
    const editor = this.pythonEditor();
    if (!editor) {
      void vscode.window.showWarningMessage("wishful: open the Python file whose wishes you want generated.");
      return;
    }
    await this.execute(SERVER.generateAll, { uri: editor.document.uri.toString() });
  }

  private async pickModule(placeHolder: string, onlyExisting: boolean): Promise<{ scope: Record<string, string>; entry: ModuleEntry } | undefined> {
    const scope = await this.scope();
    if (!scope) return undefined;
    const listed = await this.execute<{ modules: ModuleEntry[] }>(SERVER.modules, scope);
    if (!listed) return undefined;
    const items = moduleItems(listed.modules, onlyExisting);
    if (items.length === 0) {
      const where = scope.uri ? "this file" : "this folder";
      void vscode.window.showInformationMessage(onlyExisting
        ? `wishful: no module imported in ${where} has been generated yet.`
        : `wishful: ${where} has no wishful imports.`);
      return undefined;
    }
    const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder, matchOnDetail: true });
    return picked ? { scope, entry: picked.entry } : undefined;
  }

  private async regenerateModule(): Promise<void> {
    const picked = await this.pickModule("Module to regenerate", false);
    if (picked) await this.execute(SERVER.regenerate, { ...picked.scope, module: picked.entry.module });
  }

  private async openGeneratedCode(): Promise<void> {
    const picked = await this.pickModule("Generated module to open", true);
    if (picked) await this.execute(SERVER.openGenerated, { ...picked.scope, module: picked.entry.module, names: picked.entry.names });
  }

  private async clearCache(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const folder = folders.length <= 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: "Folder whose cache to clear" });
    const scope = folder ? { folder: folder.uri.toString() } : await this.scope();
    if (!scope) return;
    const listed = await this.execute<{ cacheDir: string }>(SERVER.modules, scope);
    if (!listed) return;
    const remove = "Remove generated modules";
    const choice = await vscode.window.showWarningMessage(
      `Remove the generated modules in ${listed.cacheDir}?`,
      { modal: true, detail: "Files the cache does not own, and modules edited by hand, are kept. Imports of removed modules are generated again when needed." },
      remove,
    );
    if (choice === remove) await this.execute(SERVER.clearCache, scope);
  }

  private async setApiKey(): Promise<void> {
    const model = vscode.workspace.getConfiguration("wishful").get<string>("model");
    const suggested = variableFor(model);
    const stored = await this.keys.names();
    const names = [...new Set([...(suggested ? [suggested] : []), ...stored, ...KNOWN_VARIABLES])];
    const other = "Another variable…";
    const items: vscode.QuickPickItem[] = [
      ...names.map((name) => ({
        label: name,
        description: [name === suggested ? `for ${model}` : "", stored.includes(name) ? "stored" : ""].filter(Boolean).join(" · "),
      })),
      { label: other },
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: "Wishful: Set API Key",
      placeHolder: "Environment variable the provider reads the key from",
    });
    if (!pick) return;
    let variable = pick.label;
    if (variable === other) {
      variable = (await vscode.window.showInputBox({
        title: "Wishful: Set API Key",
        prompt: "Environment variable name",
        validateInput: (v) => (validVariable(v.trim()) ? undefined : "Use capitals, digits and _ (e.g. MY_PROVIDER_API_KEY)"),
      }))?.trim() ?? "";
      if (!variable) return;
    }
    const value = await vscode.window.showInputBox({
      title: `Wishful: ${variable}`,
      prompt: `The key is kept in VS Code's secret storage and given to the wishful server as ${variable}. Leave empty to remove the stored key.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    await this.keys.set(variable, value.trim());
    vscode.window.setStatusBarMessage(value.trim() ? `wishful: ${variable} stored; restarting the server` : `wishful: ${variable} removed`, 6_000);
    await this.restarts.request();
  }

  private async statusMenu(): Promise<void> {
    const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
      { label: "$(output) Show logs", run: () => this.output.show() },
      { label: "$(settings-gear) Open settings", run: () => vscode.commands.executeCommand("workbench.action.openSettings", "@ext:wishful-lsp.wishful") },
      { label: "$(key) Set API key", run: () => this.setApiKey() },
      { label: "$(debug-restart) Restart server", run: () => this.restarts.request() },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: "wishful" });
    await pick?.run();
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === "object" && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}
