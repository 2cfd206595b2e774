// The protocol trace's output channel. The language client traces only into a log channel whose
// level is Trace, but a log channel starts at Info and only the user can lower it, so
// `wishful.trace.server` alone would show nothing. This is a plain channel that takes every level.

import * as vscode from "vscode";

export function traceChannel(name: string): vscode.LogOutputChannel {
  const channel = vscode.window.createOutputChannel(name);
  const levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  const write = (message: string | Error, ...args: unknown[]) => {
    const text = typeof message === "string" ? message : message.stack ?? message.message;
    channel.appendLine(args.length ? `${text} ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}` : text);
  };
  return {
    name: channel.name,
    logLevel: vscode.LogLevel.Trace,
    onDidChangeLogLevel: levelChanged.event,
    trace: write,
    debug: write,
    info: write,
    warn: write,
    error: write,
    append: (value: string) => channel.append(value),
    appendLine: (value: string) => channel.appendLine(value),
    replace: (value: string) => channel.replace(value),
    clear: () => channel.clear(),
    show: (columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean) =>
      typeof columnOrPreserveFocus === "boolean" || columnOrPreserveFocus === undefined
        ? channel.show(columnOrPreserveFocus)
        : channel.show(columnOrPreserveFocus, preserveFocus),
    hide: () => channel.hide(),
    dispose: () => {
      levelChanged.dispose();
      channel.dispose();
    },
  };
}
