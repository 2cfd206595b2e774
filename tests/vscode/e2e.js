// Drives VS Code (code-server, already running with the wishful extension installed) in a
// headless Chromium through one user scenario, and checks what the user would see.
//
//   CS_URL=http://127.0.0.1:PORT WORKSPACE=/abs/folder SCENARIO=generate ARTIFACTS=/abs/dir \
//     NODE_PATH=.cache/vscode-e2e/node_modules node tests/vscode/e2e.js
//
// Optional: CHROMIUM (the browser binary; default /usr/bin/chromium), STEP_TIMEOUT_MS (default
// 60000), FILE (default app.py). The "model" scenario also reads API_KEY (typed into the key
// prompt), MODEL (the wishful.model setting; default openai/test-model) and USER_DATA (code-server's
// --user-data-dir, where it reads the extension's log). The "install" and "untrusted" scenarios
// read USER_DATA and INTERPRETER (the user's wishful.interpreter, which the server must run in);
// "untrusted" also BAD_INTERPRETER (the workspace's own wishful.interpreter).
//
// CHECKPOINTS=1: at each checkpoint the driver prints "E2E-CHECK <name>" and waits for one line on
// stdin, "ok" or "fail <why>" (the test checks what the browser cannot see, such as the requests
// the model server received). Without it, checkpoints are skipped.
//
// Every step writes ARTIFACTS/NN-<step>.png and one log line ("E2E +12.3s ok 02-problems (0.8s)").
// Exit 0: every step passed. Exit 1: a step failed; the last line names it and ARTIFACTS/fail.png
// shows the screen at that moment. The lines also go to ARTIFACTS/steps.log.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { chromium } = require("playwright-core");

const CS_URL = required("CS_URL");
const WORKSPACE = required("WORKSPACE");
const SCENARIO = required("SCENARIO");
const ARTIFACTS = required("ARTIFACTS");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 60000);
const FILE = process.env.FILE || "app.py";
const MODEL = process.env.MODEL || "openai/test-model";
const CHECKPOINTS = process.env.CHECKPOINTS === "1";

// What the extension shows. The scenarios below check these; adjust them here when the
// extension's wording changes.
const UI = {
  importLine: "from wishful.text import extract_emails",
  callLine: "print(extract_emails(",
  callName: "extract_emails",
  diagnostic: "has not been generated yet",
  quickFix: "with wishful", // "Generate `extract_emails` with wishful"
  progress: "wishful", // title of the notification shown while generating
  generatedFile: ".wishful/text.py",
  hoverSignature: "def extract_emails",
  hoverProvenance: [/wishful/i, /offline|model/i], // every one must match
  notInstalled: "not installed",
  notInstalledButtons: ["Install here", "Select Python", "Settings"],
  openSettingsButton: "Settings",
  interpreterSetting: "wishful.interpreter",
  setApiKeyCommand: "Wishful: Set API Key", // its palette entry, and the title of its quick pick
  keyVariable: "OPENAI_API_KEY", // the first entry of that quick pick for an openai/ model
  keyVariableFor: (model) => `for ${model}`, // that entry's description
  keyPromptTitle: (variable) => `Wishful: ${variable}`, // the password box
  keyStored: (variable) => `wishful: ${variable} stored; restarting the server`, // status bar
  serverStart: "starting wishful-lsp", // the extension's log line for each server start
  generating: "wishful: generating wishful.text", // title of the progress notification
  asking: (model) => `asking ${model}`, // its message while the model request is out
  cancelButton: "Cancel",
  cancelledStatus: "wishful: generation cancelled; nothing was written", // status bar
  serverCancelled: "cancelled; nothing was written", // the server's log line
  installButton: "Install here",
  installing: (python) => `wishful: installing the language server into ${python}`, // progress title
  pipLine: "pip: ", // each line of pip's output in the extension's log
  pipDone: "pip: Successfully installed",
  installed: (python) => `wishful: installed the language server into ${python}; starting it.`,
  serverStartWith: (python) => `${python} -m wishful_lsp`, // in the serverStart line
  restrictedMode: "Restricted Mode", // the status bar item and the banner of an untrusted window
  noCodeActions: "No code actions available",
  hoverMissing: "not generated yet", // the hover on a name whose module does not exist yet
  manageTrustCommand: "Workspaces: Manage Workspace Trust",
  trustButton: "Trust",
  trustGranted: "workspace trusted: restarting the server", // the extension's log line
  cannotRun: (python) => `cannot run the Python interpreter ${python}`,
  openGeneratedCommand: "Wishful: Open generated code",
  generatedTab: "text.py",
  clearCacheCommand: "Wishful: Clear the generated-code cache",
  clearCacheButton: "Remove generated modules", // the confirmation dialog's button
  generateAllCommand: "Wishful: Generate all wishes in this file",
};

// Where VS Code renders things (its DOM, as of VS Code 1.100).
const SEL = {
  workbench: ".monaco-workbench",
  explorerRow: ".explorer-folders-view .monaco-list-row",
  quickOpenInput: ".quick-input-widget .quick-input-box input",
  quickOpenRow: ".quick-input-widget .quick-input-list .monaco-list-row",
  tab: ".tabs-container .tab",
  editorLines: ".editor-instance .monaco-editor .view-lines",
  line: ".editor-instance .monaco-editor .view-line",
  warningSquiggle: ".editor-instance .monaco-editor .squiggly-warning",
  problemsRow: ".markers-panel .monaco-list-row",
  actionRow: ".action-widget .monaco-list-row",
  hover: ".monaco-hover",
  toast: ".notifications-toasts .notification-toast",
  centerItem: ".notifications-center .notification-list-item",
  bell: '.statusbar-item[id="status.notifications"]',
  button: ".monaco-button",
  settingsEditor: ".settings-editor",
  settingsSearch: ".settings-editor .settings-header .search-container",
  settingRow: ".settings-editor .setting-item-contents",
  settingTitle: ".setting-item-title",
  quickInputTitle: ".quick-input-widget .quick-input-title",
  passwordInput: '.quick-input-widget .quick-input-box input[type="password"]',
  statusBar: ".part.statusbar",
  panelLine: ".part.panel .monaco-editor .view-line",
  editorMessage: ".editor-instance .monaco-editor .monaco-editor-overlaymessage",
  restrictedStatus: '.statusbar-item[id="status.workspaceTrust"]',
  banner: ".monaco-workbench .part.banner",
  trustEditor: ".workspace-trust-editor",
  dialog: ".monaco-dialog-box",
};

// ---------------------------------------------------------------------------------------------
// Scenarios: lists of [name, async (page, ctx, shot) => ...]; a step throws to fail. The runner
// takes the step's screenshot when the step ends, unless the step took it itself with shot().

const SCENARIOS = {
  // The quickstart project, with an interpreter that has wishful-lsp: diagnostic, quick fix,
  // generated module on disk, diagnostics gone, hover with signature and provenance.
  generate: [
    ["squiggle", async (page) => {
      await openWorkbench(page);
      await openFile(page, FILE);
      await waitFor(`a warning squiggle on "${UI.importLine}"`, () => squiggleOnLine(page, UI.importLine));
    }],
    ["problems", async (page) => {
      await page.keyboard.press("Control+Shift+M");
      const row = page.locator(SEL.problemsRow, { hasText: UI.diagnostic }).first();
      await row.waitFor({ timeout: STEP_TIMEOUT });
      note(`Problems row: ${oneLine(await row.innerText())}`);
    }],
    ["quick-fix", async (page) => {
      await cursorOnLine(page, UI.importLine);
      await page.keyboard.press("Control+.");
      const item = page.locator(SEL.actionRow, { hasText: UI.quickFix }).first();
      await item.waitFor({ timeout: STEP_TIMEOUT });
      const rows = await page.locator(SEL.actionRow).allInnerTexts();
      note(`code actions: ${rows.map(oneLine).join(" | ")}`);
      await focusActionRow(page, UI.quickFix);
    }],
    ["progress", async (page, ctx, shot) => {
      // Enter runs the focused action (a mouse click on the menu times out in headless Chromium).
      await page.keyboard.press("Enter");
      const target = path.join(WORKSPACE, UI.generatedFile);
      const toast = page.locator(SEL.toast, { hasText: UI.progress }).first();
      const deadline = Date.now() + STEP_TIMEOUT;
      let seen = "";
      while (!fs.existsSync(target) && Date.now() < deadline) {
        if (!seen && (await toast.isVisible().catch(() => false))) {
          seen = oneLine(await toast.innerText().catch(() => ""));
          await shot();
        }
        await page.waitForTimeout(100);
      }
      note(seen ? `progress notification: ${seen}` : "progress notification: not seen (generation finished first)");
      ctx.generated = fs.existsSync(target);
    }],
    ["generated", async (page, ctx) => {
      const target = path.join(WORKSPACE, UI.generatedFile);
      if (!ctx.generated) await waitFor(`${UI.generatedFile} on disk`, () => fs.existsSync(target));
      const code = fs.readFileSync(target, "utf8");
      if (!code.includes(`def ${UI.callName}(`)) throw new Error(`${UI.generatedFile} has no def ${UI.callName}(`);
      note(`${UI.generatedFile}: ${code.length} bytes`);
    }],
    ["squiggles-gone", async (page) => {
      await waitFor("no warning squiggle and no Problems row", async () =>
        (await page.locator(SEL.warningSquiggle).count()) === 0 &&
        (await page.locator(SEL.problemsRow, { hasText: UI.diagnostic }).count()) === 0);
    }],
    ["hover", async (page) => {
      await page.keyboard.press("Escape");
      const box = await textBox(page, UI.callLine, UI.callName);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 60, { steps: 2 });
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
      const hover = page.locator(`${SEL.hover}:visible`, { hasText: UI.hoverSignature }).first();
      await hover.waitFor({ timeout: STEP_TIMEOUT });
      const text = await hover.innerText();
      note(`hover: ${oneLine(text).slice(0, 300)}`);
      const missing = UI.hoverProvenance.filter((re) => !re.test(text));
      if (missing.length) throw new Error(`hover lacks ${missing.join(", ")}: ${oneLine(text)}`);
    }],
    // the extension's own commands, from the command palette
    ["open-generated", async (page) => {
      await page.keyboard.press("Escape");
      await runCommand(page, UI.openGeneratedCommand);
      const tab = page.locator(SEL.tab, { hasText: UI.generatedTab }).first();
      await tab.waitFor({ timeout: STEP_TIMEOUT });
      await waitFor(`the editor shows def ${UI.callName}`, async () =>
        (await page.locator(SEL.line, { hasText: `def ${UI.callName}(` }).count()) > 0);
      note(`tabs: ${(await page.locator(SEL.tab).allInnerTexts()).map(oneLine).join(" | ")}`);
    }],
    ["clear-cache", async (page) => {
      await page.locator(SEL.tab, { hasText: FILE }).first().click();
      await page.locator(SEL.line, { hasText: UI.importLine }).first().waitFor({ timeout: STEP_TIMEOUT });
      await runCommand(page, UI.clearCacheCommand);
      const dialog = page.locator(SEL.dialog).first();
      await dialog.waitFor({ timeout: STEP_TIMEOUT });
      note(`dialog: ${oneLine(await dialog.innerText())}`);
      await clickButton(page, dialog, UI.clearCacheButton);
      const target = path.join(WORKSPACE, UI.generatedFile);
      await waitFor(`${UI.generatedFile} removed`, () => !fs.existsSync(target));
      await waitFor(`the warning squiggle back on "${UI.importLine}"`, () => squiggleOnLine(page, UI.importLine));
    }],
    ["generate-all", async (page) => {
      await runCommand(page, UI.generateAllCommand);
      const target = path.join(WORKSPACE, UI.generatedFile);
      await waitFor(`${UI.generatedFile} written again`, () => fs.existsSync(target));
      await waitFor("no warning squiggle", async () => (await page.locator(SEL.warningSquiggle).count()) === 0);
    }],
  ],

  // An interpreter without wishful-lsp: an error notification that says so and offers fixes;
  // its "Settings" button opens the Settings editor at the interpreter setting.
  "broken-interpreter": [
    ["error-notification", async (page, ctx) => {
      await openWorkbench(page);
      await openFile(page, FILE);
      const toast = await findNotification(page, UI.notInstalled);
      note(`notification: ${oneLine(await toast.innerText())}`);
      const buttons = (await toast.locator(SEL.button).allInnerTexts()).map(oneLine);
      note(`buttons: ${buttons.join(" | ")}`);
      const absent = UI.notInstalledButtons.filter((b) => !buttons.includes(b));
      if (absent.length) throw new Error(`notification lacks button(s): ${absent.join(", ")}`);
      ctx.toast = toast;
    }],
    ["settings", async (page, ctx) => {
      const button = ctx.toast.locator(SEL.button, { hasText: UI.openSettingsButton }).first();
      try {
        await button.click({ timeout: 5000 });
      } catch (e) {
        note(`click on "${UI.openSettingsButton}" failed (${firstLine(e)}); using the keyboard`);
        await button.focus();
        await page.keyboard.press("Enter");
      }
      await page.locator(SEL.settingsEditor).first().waitFor({ timeout: STEP_TIMEOUT });
      await waitFor(`the Settings editor showing the ${UI.interpreterSetting} setting`, () =>
        settingRowVisible(page, UI.interpreterSetting));
      const query = await page.locator(SEL.settingsSearch).first().innerText().catch(() => "");
      note(`settings search: ${oneLine(query)}`);
    }],
  ],

  // INTERPRETER is a virtual environment with the server's dependencies but not the server:
  // "Install here" pip-installs the wheels inside the extension into it (progress notification,
  // pip's output in the log), says so, and starts the server from there.
  install: [
    ["not-installed", async (page, ctx) => {
      await openWorkbench(page);
      await openFile(page, FILE);
      const python = setting("INTERPRETER");
      const toast = await findNotification(page, UI.notInstalled);
      const text = oneLine(await toast.innerText());
      note(`notification: ${text}`);
      if (!text.includes(python)) throw new Error(`the notification does not name ${python}`);
      const buttons = (await toast.locator(SEL.button).allInnerTexts()).map(oneLine);
      note(`buttons: ${buttons.join(" | ")}`);
      if (!buttons.includes(UI.installButton)) throw new Error(`the notification has no "${UI.installButton}" button`);
      ctx.toast = toast;
    }],
    ["installing", async (page, ctx, shot) => {
      const python = setting("INTERPRETER");
      await clickButton(page, ctx.toast, UI.installButton);
      // the progress notification lasts as long as pip does: catch it if it is still up
      const progress = page.locator(SEL.toast, { hasText: UI.installing(python) }).first();
      const done = page.locator(`${SEL.toast}, ${SEL.centerItem}`, { hasText: UI.installed(python) }).first();
      let seen = "";
      await waitFor(`"${UI.installing(python)}" or "${UI.installed(python)}"`, async () => {
        if (!seen && (await progress.isVisible().catch(() => false))) {
          seen = oneLine(await progress.innerText().catch(() => ""));
          await shot();
        }
        return seen || (await done.isVisible().catch(() => false)) || countInLog(UI.pipDone) > 0;
      });
      note(seen ? `progress notification: ${seen}` : "progress notification: not seen (pip finished first)");
    }],
    ["pip-output", async (page) => {
      await waitFor(`"${UI.pipDone}" in the extension's log`, () => countInLog(UI.pipDone) > 0);
      note(`extension log: ${countInLog(UI.pipLine)} pip lines, the last: ${lastLogLine(UI.pipDone)}`);
      // the extension shows its log while pip runs
      const shown = await page.locator(SEL.panelLine, { hasText: UI.pipLine }).count();
      note(`Output panel: ${shown} visible lines with "${UI.pipLine.trim()}"`);
      if (!shown) throw new Error("the Output panel shows no pip line");
    }],
    ["installed", async (page) => {
      const toast = await findNotification(page, UI.installed(setting("INTERPRETER")));
      note(`notification: ${oneLine(await toast.innerText())}`);
    }],
    ["squiggle", async (page) => {
      const python = setting("INTERPRETER");
      await waitFor(`"${UI.serverStart} … ${UI.serverStartWith(python)}" in the extension's log`, () =>
        lastLogLine(UI.serverStart).includes(UI.serverStartWith(python)));
      note(`extension log: ${lastLogLine(UI.serverStart)}`);
      await page.mouse.click(600, 300); // back to the editor (the Output panel has the focus)
      await waitFor(`a warning squiggle on "${UI.importLine}"`, () => squiggleOnLine(page, UI.importLine));
      await checkpoint("server-running");
    }],
  ],

  // Restricted Mode (a workspace never trusted), with a workspace .vscode/settings.json that names
  // another interpreter and cache directory: the server runs in the user's INTERPRETER anyway,
  // diagnostics and hover work, no generation is offered. Trusting the workspace restarts the
  // server, which now honours the workspace's interpreter (BAD_INTERPRETER, which does not exist);
  // once the test removes it, generation is offered.
  untrusted: [
    ["restricted-mode", async (page) => {
      await openWorkbench(page);
      const item = page.locator(SEL.restrictedStatus).first();
      await item.waitFor({ timeout: STEP_TIMEOUT });
      note(`status bar item: ${oneLine(await item.innerText())} (${await item.getAttribute("aria-label")})`);
      if (!oneLine(await item.innerText()).includes(UI.restrictedMode)) throw new Error(`the status bar item does not say ${UI.restrictedMode}`);
      const banner = oneLine(await page.locator(SEL.banner).first().innerText().catch(() => ""));
      note(`banner: ${banner || "(none)"}`);
      if (!banner.includes(UI.restrictedMode)) throw new Error(`no "${UI.restrictedMode}" banner`);
    }],
    ["squiggle", async (page) => {
      await openFile(page, FILE);
      await waitFor(`a warning squiggle on "${UI.importLine}"`, () => squiggleOnLine(page, UI.importLine));
      note(`extension log: ${lastLogLine(UI.serverStart)}`);
      if (!lastLogLine(UI.serverStart).includes(UI.serverStartWith(setting("INTERPRETER")))) {
        throw new Error(`the server did not start with ${setting("INTERPRETER")}`);
      }
    }],
    ["no-generate-action", async (page) => {
      const actions = await codeActions(page, UI.importLine);
      note(`code actions: ${actions.length ? actions.join(" | ") : UI.noCodeActions}`);
      if (actions.some((a) => a.includes(UI.quickFix))) throw new Error(`"${UI.quickFix}" is offered in Restricted Mode`);
    }],
    ["hover", async (page) => {
      await page.keyboard.press("Escape");
      const text = await hoverText(page, UI.callLine, UI.callName, UI.hoverMissing);
      note(`hover: ${text.slice(0, 300)}`);
      await checkpoint("untrusted");
    }],
    ["trust-editor", async (page, ctx) => {
      await page.keyboard.press("Escape");
      await runCommand(page, UI.manageTrustCommand);
      const editor = page.locator(SEL.trustEditor).first();
      await editor.waitFor({ timeout: STEP_TIMEOUT });
      const trust = new RegExp(`^\\s*${UI.trustButton}\\s*$`);
      await editor.locator(SEL.button, { hasText: trust }).first().waitFor({ timeout: STEP_TIMEOUT });
      note(`Workspace Trust editor: ${oneLine(await editor.locator("h1, .workspace-trust-title").first().innerText().catch(() => ""))}`);
      note(`its buttons: ${(await editor.locator(SEL.button).allInnerTexts()).map(oneLine).filter(Boolean).join(" | ")}`);
      ctx.trustEditor = editor;
    }],
    ["trust", async (page, ctx) => {
      await clickButton(page, ctx.trustEditor, new RegExp(`^\\s*${UI.trustButton}\\s*$`));
      await waitFor(`the "${UI.restrictedMode}" status bar item gone`, async () => (await page.locator(SEL.restrictedStatus).count()) === 0);
      await waitFor(`"${UI.trustGranted}" in the extension's log`, () => countInLog(UI.trustGranted) > 0);
      note(`extension log: ${lastLogLine(UI.trustGranted)}`);
    }],
    ["workspace-interpreter", async (page) => {
      // trusted, the workspace's wishful.interpreter applies
      const toast = await findNotification(page, UI.cannotRun(setting("BAD_INTERPRETER")));
      note(`notification: ${oneLine(await toast.innerText())}`);
      await checkpoint("trusted");
    }],
    ["generate-offered", async (page, ctx) => {
      const python = setting("INTERPRETER");
      await waitFor(`a new "${UI.serverStart} … ${UI.serverStartWith(python)}" in the extension's log`, () =>
        lastLogLine(UI.serverStart).includes(UI.serverStartWith(python)) && countInLog(UI.serverStart) >= 2);
      note(`extension log: ${lastLogLine(UI.serverStart)}`);
      await page.keyboard.press("Escape");
      // back from the Workspace Trust editor to the file's tab
      await page.locator(`${SEL.tab}[aria-label*="${FILE}"]`).first().click({ timeout: STEP_TIMEOUT });
      await page.locator(`${SEL.line}:visible`, { hasText: UI.importLine }).first().waitFor({ timeout: STEP_TIMEOUT });
      await waitFor(`a warning squiggle on "${UI.importLine}"`, () => squiggleOnLine(page, UI.importLine));
      const actions = await codeActions(page, UI.importLine);
      note(`code actions: ${actions.length ? actions.join(" | ") : UI.noCodeActions}`);
      if (!actions.some((a) => a.includes(UI.quickFix))) throw new Error(`no "${UI.quickFix}" action once trusted`);
      await checkpoint("offered");
    }],
  ],

  // A real model over HTTP (the test's fake OpenAI endpoint, whose first request hangs): the API
  // key entered through "Wishful: Set API Key" (server restarted), the progress notification while
  // the model is asked, Cancel (nothing written, warning kept), then a generation that succeeds.
  model: [
    ["squiggle", async (page) => {
      await openWorkbench(page);
      await openFile(page, FILE);
      await waitFor(`a warning squiggle on "${UI.importLine}"`, () => squiggleOnLine(page, UI.importLine));
    }],
    ["command-palette", async (page) => {
      await page.keyboard.press("F1");
      await page.locator(SEL.quickOpenInput).first().waitFor({ state: "visible", timeout: STEP_TIMEOUT });
      await page.keyboard.type(UI.setApiKeyCommand);
      const row = page.locator(SEL.quickOpenRow, { hasText: UI.setApiKeyCommand }).first();
      await row.waitFor({ timeout: STEP_TIMEOUT });
      note(`palette: ${oneLine(await row.innerText())}`);
    }],
    ["key-variable", async (page) => {
      await page.keyboard.press("Enter");
      await page.locator(SEL.quickOpenRow, { hasText: UI.keyVariable }).first().waitFor({ timeout: STEP_TIMEOUT });
      const title = oneLine(await page.locator(SEL.quickInputTitle).first().innerText().catch(() => ""));
      const rows = await quickPickRows(page);
      note(`quick pick "${title}": ${rows.join(" | ")}`);
      const first = rows[0] || "";
      if (first !== `${UI.keyVariable} (${UI.keyVariableFor(MODEL)})`) {
        throw new Error(`the first entry is "${first}", not ${UI.keyVariable} "${UI.keyVariableFor(MODEL)}"`);
      }
    }],
    ["key-prompt", async (page) => {
      await page.keyboard.type(UI.keyVariable);
      await page.keyboard.press("Enter");
      const box = page.locator(SEL.passwordInput).first();
      await box.waitFor({ state: "visible", timeout: STEP_TIMEOUT });
      await waitFor(`the title "${UI.keyPromptTitle(UI.keyVariable)}"`, async () =>
        oneLine(await page.locator(SEL.quickInputTitle).first().innerText().catch(() => "")) === UI.keyPromptTitle(UI.keyVariable));
      const prompt = oneLine(await page.locator(".quick-input-widget .quick-input-message").first().innerText().catch(() => ""));
      note(`password box "${UI.keyPromptTitle(UI.keyVariable)}": ${prompt}`);
      await page.keyboard.type(setting("API_KEY"));
    }],
    ["key-stored", async (page, ctx) => {
      ctx.starts = countInLog(UI.serverStart);
      await page.keyboard.press("Enter");
      const message = UI.keyStored(UI.keyVariable);
      await waitFor(`"${message}" in the status bar`, () => statusBarHas(page, message));
      note(`status bar: ${message}`);
    }],
    ["restarted", async (page, ctx) => {
      await waitFor(`a new "${UI.serverStart}" line in the extension's log`, () => countInLog(UI.serverStart) > ctx.starts);
      note(`server starts logged: ${countInLog(UI.serverStart)}`);
      await waitFor(`the warning squiggle on "${UI.importLine}" again`, () => squiggleOnLine(page, UI.importLine));
    }],
    ["progress", async (page, ctx) => {
      await cursorOnLine(page, UI.importLine);
      await page.keyboard.press("Control+.");
      await page.locator(SEL.actionRow, { hasText: UI.quickFix }).first().waitFor({ timeout: STEP_TIMEOUT });
      await focusActionRow(page, UI.quickFix);
      await page.keyboard.press("Enter");
      const toast = page.locator(SEL.toast, { hasText: UI.generating }).filter({ hasText: UI.asking(MODEL) }).first();
      await toast.waitFor({ timeout: STEP_TIMEOUT });
      note(`progress notification: ${oneLine(await toast.innerText())}`);
      const buttons = (await toast.locator(SEL.button).allInnerTexts()).map(oneLine);
      note(`buttons: ${buttons.join(" | ")}`);
      if (!buttons.includes(UI.cancelButton)) throw new Error(`the progress notification has no ${UI.cancelButton} button`);
      // "asking" is reported before litellm sends the request: the test waits until it is out
      await checkpoint("request-out");
      if (!(await toast.isVisible())) throw new Error("the progress notification closed before Cancel");
      note(`progress notification: ${oneLine(await toast.innerText())}`);
      ctx.toast = toast;
    }],
    ["cancelled", async (page, ctx) => {
      const button = ctx.toast.locator(SEL.button, { hasText: UI.cancelButton }).first();
      try {
        await button.click({ timeout: 5000 });
      } catch (e) {
        note(`click on "${UI.cancelButton}" failed (${firstLine(e)}); using the keyboard`);
        await button.focus();
        await page.keyboard.press("Enter");
      }
      await ctx.toast.waitFor({ state: "hidden", timeout: STEP_TIMEOUT });
      note("the progress notification closed");
      const cancelled = await waitFor(`"${UI.cancelledStatus}" in the status bar`, () => statusBarHas(page, UI.cancelledStatus), 10000)
        .then(() => UI.cancelledStatus, (e) => `not seen (${firstLine(e)})`);
      note(`status bar: ${cancelled}`);
      await waitFor(`"${UI.serverCancelled}" in the extension's log`, () => countInLog(UI.serverCancelled) > 0);
      note(`extension log: ${lastLogLine(UI.serverCancelled)}`);
      const target = path.join(WORKSPACE, UI.generatedFile);
      const cache = path.dirname(target);
      note(`${path.basename(cache)}/ holds: ${fs.existsSync(cache) ? fs.readdirSync(cache).sort().join(", ") || "nothing" : "(no directory)"}`);
      if (fs.existsSync(target)) throw new Error(`${UI.generatedFile} was written although the generation was cancelled`);
      if (!(await squiggleOnLine(page, UI.importLine))) throw new Error(`the warning squiggle on "${UI.importLine}" is gone`);
      await checkpoint("cancelled");
    }],
    ["generated", async (page) => {
      await cursorOnLine(page, UI.importLine);
      await page.keyboard.press("Control+.");
      await page.locator(SEL.actionRow, { hasText: UI.quickFix }).first().waitFor({ timeout: STEP_TIMEOUT });
      await focusActionRow(page, UI.quickFix);
      await page.keyboard.press("Enter");
      const target = path.join(WORKSPACE, UI.generatedFile);
      await waitFor(`${UI.generatedFile} on disk`, () => fs.existsSync(target));
      const code = fs.readFileSync(target, "utf8");
      if (!code.includes(`def ${UI.callName}(`)) throw new Error(`${UI.generatedFile} has no def ${UI.callName}(`);
      note(`${UI.generatedFile}: ${code.length} bytes`);
      const done = page.locator(`${SEL.toast}, ${SEL.centerItem}`, { hasText: `with ${MODEL}` }).first();
      if (await done.waitFor({ timeout: 10000 }).then(() => true, () => false)) {
        note(`notification: ${oneLine(await done.innerText())}`);
      } else {
        note(`notification: none mentioning "with ${MODEL}"`);
      }
    }],
    ["squiggles-gone", async (page) => {
      await waitFor("no warning squiggle", async () => (await page.locator(SEL.warningSquiggle).count()) === 0);
      await page.locator(SEL.toast, { hasText: UI.generating }).first().waitFor({ state: "hidden", timeout: STEP_TIMEOUT });
      await checkpoint("generated");
    }],
  ],
};

// ---------------------------------------------------------------------------------------------
// VS Code helpers

async function openWorkbench(page) {
  await page.goto(`${CS_URL}/?folder=${encodeURIComponent(WORKSPACE)}`, { waitUntil: "domcontentloaded" });
  await page.locator(SEL.workbench).first().waitFor({ timeout: STEP_TIMEOUT });
  // the explorer lists the folder once the remote file system answers
  await page.locator(SEL.explorerRow, { hasText: FILE }).first().waitFor({ timeout: STEP_TIMEOUT });
  note("workbench loaded");
}

async function openFile(page, name) {
  // focus the workbench (empty editor area), then Quick Open
  await page.mouse.click(900, 400);
  await page.keyboard.press("Control+P");
  await page.locator(SEL.quickOpenInput).first().waitFor({ state: "visible", timeout: STEP_TIMEOUT });
  await page.keyboard.type(name);
  await page.locator(`${SEL.quickOpenRow}[aria-label*="${name}"]`).first().waitFor({ timeout: STEP_TIMEOUT });
  await page.keyboard.press("Enter");
  await page.locator(`${SEL.tab}[aria-label*="${name}"]`).first().waitFor({ timeout: STEP_TIMEOUT });
  await page.locator(SEL.editorLines).first().waitFor({ timeout: STEP_TIMEOUT });
  await page.locator(SEL.line, { hasText: UI.importLine }).first().waitFor({ timeout: STEP_TIMEOUT });
  note(`${name} open`);
}

// Monaco draws squiggles in an overlay layer, positioned at the same height as the text line.
async function squiggleOnLine(page, lineText) {
  return page.evaluate(([lineSel, squiggleSel, text]) => {
    const line = [...document.querySelectorAll(lineSel)].find((el) => el.textContent.replace(/\u00a0/g, " ").includes(text));
    if (!line) return false;
    const l = line.getBoundingClientRect();
    return [...document.querySelectorAll(squiggleSel)].some((sq) => {
      const s = sq.getBoundingClientRect();
      return s.width > 0 && s.top < l.bottom && s.bottom > l.top;
    });
  }, [SEL.line, SEL.warningSquiggle, lineText]);
}

// The screen box of `word` inside the editor line that contains `lineText`.
async function textBox(page, lineText, word) {
  const box = await page.evaluate(([lineSel, text, w]) => {
    const line = [...document.querySelectorAll(lineSel)].find((el) => el.textContent.replace(/\u00a0/g, " ").includes(text));
    if (!line) return null;
    // the line is split into one span per token, and Monaco writes spaces as U+00A0
    const nodes = [];
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    const full = nodes.map((n) => n.textContent).join("").replace(/\u00a0/g, " ");
    const at = full.indexOf(w);
    if (at < 0) return null;
    const locate = (offset) => {
      for (const node of nodes) {
        if (offset <= node.textContent.length) return [node, offset];
        offset -= node.textContent.length;
      }
      return null;
    };
    const range = document.createRange();
    range.setStart(...locate(at));
    range.setEnd(...locate(at + w.length));
    const r = range.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }, [SEL.line, lineText, word]);
  if (!box) throw new Error(`"${word}" not found in an editor line containing "${lineText}"`);
  return box;
}

async function cursorOnLine(page, lineText) {
  await page.mouse.move(1200, 850); // away from any hover
  const box = await textBox(page, lineText, lineText);
  await page.mouse.click(box.x + box.width - 4, box.y + box.height / 2);
  await page.keyboard.press("Escape");
}

// Ctrl+. on the line: the titles of the code actions offered, or [] once VS Code says there are none.
async function codeActions(page, lineText) {
  await cursorOnLine(page, lineText);
  await page.keyboard.press("Control+.");
  const none = page.locator(SEL.editorMessage, { hasText: UI.noCodeActions }).first();
  const rows = page.locator(SEL.actionRow).first();
  await waitFor(`the code action menu or "${UI.noCodeActions}"`, async () =>
    (await none.isVisible().catch(() => false)) || (await rows.isVisible().catch(() => false)));
  if (await none.isVisible().catch(() => false)) return [];
  return (await page.locator(SEL.actionRow).allInnerTexts()).map(oneLine);
}

// The text of the hover on `word` (in the line holding `lineText`) once it contains `expected`.
async function hoverText(page, lineText, word, expected) {
  const box = await textBox(page, lineText, word);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 60, { steps: 2 });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
  const hover = page.locator(`${SEL.hover}:visible`, { hasText: expected }).first();
  await hover.waitFor({ timeout: STEP_TIMEOUT });
  return oneLine(await hover.innerText());
}

async function runCommand(page, title) {
  await page.keyboard.press("F1");
  await page.locator(SEL.quickOpenInput).first().waitFor({ state: "visible", timeout: STEP_TIMEOUT });
  await page.keyboard.type(title);
  await page.locator(SEL.quickOpenRow, { hasText: title }).first().waitFor({ timeout: STEP_TIMEOUT });
  await page.keyboard.press("Enter");
}

// Click the button labelled `label` (text or RegExp) inside `container`; the keyboard if the click fails.
async function clickButton(page, container, label) {
  const button = container.locator(SEL.button, { hasText: label }).first();
  try {
    await button.click({ timeout: 5000 });
  } catch (e) {
    note(`click on "${label}" failed (${firstLine(e)}); using the keyboard`);
    await button.focus();
    await page.keyboard.press("Enter");
  }
}

// The action menu focuses its first (preferred) entry; move down to the wanted one if needed.
async function focusActionRow(page, text) {
  for (let i = 0; i < 20; i++) {
    const focused = page.locator(`${SEL.actionRow}.focused`).first();
    if ((await focused.count()) && (await focused.innerText()).includes(text)) return;
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`could not focus the code action "${text}"`);
}

// A notification toast containing `text`. Toasts that are not sticky hide after a while; the
// notification center (the bell in the status bar) keeps them all.
async function findNotification(page, text) {
  const any = `${SEL.toast}, ${SEL.centerItem}`;
  const match = page.locator(any, { hasText: text }).first();
  try {
    await match.waitFor({ timeout: STEP_TIMEOUT });
    return match;
  } catch (_) {
    await page.locator(SEL.bell).first().click({ timeout: 5000 }).catch(() => {});
    if (await match.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      note("found in the notification center (the toast had hidden)");
      return match;
    }
    const shown = (await page.locator(any).allInnerTexts().catch(() => [])).map(oneLine);
    throw new Error(`no notification containing "${text}"; notifications shown: ${shown.length ? shown.join(" || ") : "none"}`);
  }
}

// A row of the Settings editor titled like `key` ("wishful.interpreter": "Wishful: Interpreter").
async function settingRowVisible(page, key) {
  const want = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  const titles = await page.locator(`${SEL.settingRow} ${SEL.settingTitle}`).evaluateAll((els) =>
    els.filter((el) => el.getClientRects().length > 0).map((el) => el.textContent));
  return titles.some((t) => t.toLowerCase().replace(/[^a-z0-9]/g, "") === want);
}

// The rows of the open quick pick, in order: "label (description)".
async function quickPickRows(page) {
  const rows = await page.locator(SEL.quickOpenRow).evaluateAll((els) => els.map((el) => {
    const text = (sel) => (el.querySelector(sel)?.textContent || "").replace(/\s+/g, " ").trim();
    return { index: Number(el.getAttribute("data-index")), label: text(".label-name"), description: text(".label-description") };
  }));
  return rows.sort((a, b) => a.index - b.index).map((r) => (r.description ? `${r.label} (${r.description})` : r.label));
}

async function statusBarText(page) {
  return oneLine(await page.locator(SEL.statusBar).first().innerText().catch(() => ""));
}

async function statusBarHas(page, text) {
  return (await statusBarText(page)).includes(text);
}

// The extension's "wishful" output channel as VS Code logs it to disk (it also holds the server's
// stderr and log messages): USER_DATA/logs/<session>/exthost<N>/wishful-lsp.wishful/wishful.log.
function extensionLog() {
  const root = path.join(setting("USER_DATA"), "logs");
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "wishful.log" && path.basename(dir).endsWith(".wishful")) found.push(full);
    }
  };
  walk(root);
  return found.map((f) => fs.readFileSync(f, "utf8")).join("\n");
}

const countInLog = (text) => extensionLog().split("\n").filter((l) => l.includes(text)).length;
const lastLogLine = (text) => oneLine(extensionLog().split("\n").filter((l) => l.includes(text)).pop() || "");

// ---------------------------------------------------------------------------------------------
// Runner

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`e2e.js: set ${name}`);
    process.exit(2);
  }
  return value;
}

// an environment variable only some scenarios need (a step fails without it)
function setting(name) {
  const value = process.env[name];
  if (!value) throw new Error(`scenario ${SCENARIO} needs ${name} in the environment`);
  return value;
}

const t0 = Date.now();
function log(line) {
  const text = `E2E +${((Date.now() - t0) / 1000).toFixed(1)}s ${line}`;
  console.log(text);
  fs.appendFileSync(path.join(ARTIFACTS, "steps.log"), text + "\n");
}
const note = (line) => log(`   ${line}`);
const oneLine = (s) => String(s).replace(/\s+/g, " ").trim();
// the first line of an error, plus what Playwright was waiting for
const firstLine = (e) => {
  const lines = String((e && e.message) || e).replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const waiting = lines.find((l) => /^\s*- waiting for /.test(l));
  return waiting ? `${lines[0]} (${waiting.trim().slice(2)})` : lines[0];
};

// Hand over to the test (see CHECKPOINTS above); throws with the test's reason when it says "fail".
let stdinLines;
async function checkpoint(name) {
  if (!CHECKPOINTS) {
    note(`checkpoint ${name}: skipped (CHECKPOINTS is not 1)`);
    return;
  }
  stdinLines = stdinLines || readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  console.log(`E2E-CHECK ${name}`);
  const { value, done } = await stdinLines.next();
  if (done) throw new Error(`checkpoint ${name}: the test closed stdin without answering`);
  if (value.trim() !== "ok") throw new Error(`checkpoint ${name}: ${value.trim().replace(/^fail\s*/, "")}`);
  note(`checkpoint ${name}: ok`);
}

async function waitFor(what, check, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function main() {
  const steps = SCENARIOS[SCENARIO];
  if (!steps) {
    console.error(`e2e.js: unknown SCENARIO ${SCENARIO}; one of ${Object.keys(SCENARIOS).join(", ")}`);
    return 2;
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.rmSync(path.join(ARTIFACTS, "steps.log"), { force: true });
  log(`scenario ${SCENARIO}: ${CS_URL} folder ${WORKSPACE}`);
  let browser;
  const stop = () => (browser ? browser.close().catch(() => {}) : Promise.resolve());
  process.once("SIGTERM", () => stop().then(() => process.exit(1)));
  let current = "00-start-browser";
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    let pageErrors = 0;
    page.on("pageerror", (e) => { if (pageErrors++ < 5) note(`page error: ${firstLine(e).slice(0, 200)}`); });
    const ctx = {};
    for (const [i, [name, step]] of steps.entries()) {
      current = `${String(i + 1).padStart(2, "0")}-${name}`;
      const started = Date.now();
      const png = path.join(ARTIFACTS, `${current}.png`);
      let shotTaken = false;
      const shot = async () => { await page.screenshot({ path: png }); shotTaken = true; };
      await step(page, ctx, shot);
      if (!shotTaken) await shot();
      log(`ok ${current} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    }
    log(`PASS ${SCENARIO}: ${steps.length} steps`);
    return 0;
  } catch (e) {
    const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
    if (pages.length) await pages[0].screenshot({ path: path.join(ARTIFACTS, "fail.png") }).catch(() => {});
    log(`FAIL ${current}: ${firstLine(e)}`);
    return 1;
  } finally {
    await stop();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
