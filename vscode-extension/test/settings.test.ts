import assert from "node:assert/strict";
import { test } from "node:test";
import { SettingLayers, interpreterSetting, needsRestart, serverSettings, shouldNotify } from "../src/settings";

/** An `inspect` over per-layer objects, like WorkspaceConfiguration.inspect. */
function layers(global: object, workspace: object = {}, folder: object = {}) {
  return (key: string): SettingLayers => ({
    globalValue: (global as Record<string, unknown>)[key],
    workspaceValue: (workspace as Record<string, unknown>)[key],
    workspaceFolderValue: (folder as Record<string, unknown>)[key],
  });
}

test("only values the user set are sent, so the project's own settings still apply", () => {
  assert.deepEqual(serverSettings(layers({}), true), {});
  assert.deepEqual(serverSettings(layers({ model: "", apiBase: "  ", severity: {} }), true), {});
});

test("folder settings override workspace settings override user settings", () => {
  const inspect = layers(
    { model: "openai/gpt-4o-mini", preview: true, requestTimeout: 30 },
    { model: "ollama/qwen2.5-coder", apiBase: "http://127.0.0.1:11434 " },
    { preview: false },
  );
  assert.deepEqual(serverSettings(inspect, true), {
    model: "ollama/qwen2.5-coder", apiBase: "http://127.0.0.1:11434", preview: false, requestTimeout: 30,
  });
});

test("severity objects merge per diagnostic code across layers", () => {
  const inspect = layers({ severity: { missing: "error", stale: "hint" } }, { severity: { stale: "off" } });
  assert.deepEqual(serverSettings(inspect, true).severity, { missing: "error", stale: "off" });
});

test("untrusted workspaces: generation off, and the workspace's cacheDir and interpreter ignored", () => {
  const inspect = layers(
    { cacheDir: "/home/ada/wishful-cache", interpreter: "/usr/bin/python3" },
    { cacheDir: "/etc", interpreter: "./evil/python", model: "openai/gpt-4o", generationEnabled: true },
  );
  const untrusted = serverSettings(inspect, false);
  assert.equal(untrusted.generationEnabled, false);
  assert.equal(untrusted.cacheDir, "/home/ada/wishful-cache");
  assert.equal(untrusted.model, "openai/gpt-4o");
  assert.equal(interpreterSetting(inspect, false), "/usr/bin/python3");
  assert.equal(interpreterSetting(inspect, true), "./evil/python");
  assert.equal(serverSettings(inspect, true).cacheDir, "/etc");
  assert.equal(serverSettings(inspect, true).generationEnabled, true);
  assert.equal(serverSettings(layers({}, { cacheDir: "/etc" }), false).cacheDir, undefined);
});

test("client-only keys never reach the server", () => {
  const sent = serverSettings(layers({ interpreter: "/py", showNotifications: "off", trace: { server: "verbose" } }), true);
  assert.deepEqual(sent, {});
});

test("only an interpreter change needs a new server process", () => {
  assert.equal(needsRestart((s) => s === "wishful.interpreter"), true);
  assert.equal(needsRestart((s) => s === "wishful.model"), false);
});

test("showNotifications filters the server's messages by level", () => {
  const levels = [1, 2, 3]; // error, warning, info
  assert.deepEqual(levels.map((t) => shouldNotify("off", t)), [false, false, false]);
  assert.deepEqual(levels.map((t) => shouldNotify("onError", t)), [true, false, false]);
  assert.deepEqual(levels.map((t) => shouldNotify("onWarning", t)), [true, true, false]);
  assert.deepEqual(levels.map((t) => shouldNotify("always", t)), [true, true, true]);
  assert.equal(shouldNotify(undefined, 4), false); // log messages stay in the log
});
