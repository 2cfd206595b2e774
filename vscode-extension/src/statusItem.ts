// The language status item ({} in the status bar while a Python file is open).

import * as vscode from "vscode";
import { Status, View, describeStatus } from "./status";

const SEVERITY = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

export class StatusView implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem("wishful.status", [
    { language: "python" },
  ]);
  private status: Status | undefined;
  private last: View = { state: "starting" };

  constructor(private readonly menuCommand: string, private readonly logsCommand: string) {
    this.item.name = "wishful";
  }

  update(status: Status): void {
    this.status = status;
  }

  show(view: View): void {
    this.last = view;
    const shown = describeStatus(view, this.status);
    this.item.text = shown.text;
    this.item.detail = shown.detail;
    this.item.severity = SEVERITY[shown.severity];
    this.item.busy = shown.busy;
    this.item.command = { title: shown.commandTitle, command: shown.command === "menu" ? this.menuCommand : this.logsCommand };
  }

  get view(): View {
    return this.last;
  }

  dispose(): void {
    this.item.dispose();
  }
}
