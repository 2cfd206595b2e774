import assert from "node:assert/strict";
import { test } from "node:test";
import { GENERATING, SERVER, describeResult, moduleItems, progressTitle } from "../src/commands";
import { describeStatus, folderOf, Status } from "../src/status";
import { validVariable, variableFor } from "../src/keys";
import manifest from "../package.json";

test("the extension registers none of the server's command ids", () => {
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command);
  for (const id of Object.values(SERVER)) assert.ok(!contributed.includes(id), `${id} is the server's`);
  assert.deepEqual([...GENERATING].sort(), [SERVER.generate, SERVER.generateAll, SERVER.regenerate].sort());
});

test("every setting the server or the extension reads is declared in package.json", () => {
  const declared = Object.keys(manifest.contributes.configuration.properties);
  for (const key of ["interpreter", "model", "apiBase", "cacheDir", "preview", "requestTimeout", "generationEnabled",
    "severity", "showNotifications", "trace.server"]) {
    assert.ok(declared.includes(`wishful.${key}`), `wishful.${key}`);
  }
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ["wishful.interpreter", "wishful.cacheDir"]);
});

test("progress titles name the module or the file", () => {
  assert.equal(progressTitle(SERVER.generate, [{ module: "wishful.text", uri: "file:///p/app.py" }]), "wishful: generating wishful.text");
  assert.equal(progressTitle(SERVER.regenerate, [{ module: "wishful.text" }]), "wishful: regenerating wishful.text");
  assert.equal(progressTitle(SERVER.generateAll, [{ uri: "file:///p/my%20app.py" }]), "wishful: generating the wishes in my app.py");
});

test("results become one line and a file to open", () => {
  assert.deepEqual(describeResult({ status: "ok", summary: "generated wishful.text (slugify) with offline in 0.2 s", uri: "file:///p/.wishful/text.py" }),
    { text: "wishful: generated wishful.text (slugify) with offline in 0.2 s", open: "file:///p/.wishful/text.py", ok: true });
  assert.equal(describeResult({ status: "failed", module: "wishful.text", message: "HTTP 500" }).ok, false);
  assert.deepEqual(describeResult({ status: "ok", results: [], generated: 0, failed: 0 }),
    { text: "wishful: every wish in this file is already generated", ok: true });
  const all = describeResult({ results: [{ status: "ok", uri: "file:///a" }, { status: "failed" }], generated: 1, failed: 1 });
  assert.equal(all.text, "wishful: generated 1 module(s); 1 failed (see the log)");
  assert.equal(all.open, "file:///a");
});

test("module pickers show state and names, and can list only generated modules", () => {
  const modules = [
    { module: "wishful.text", state: "ok", names: ["slugify"], path: "/p/.wishful/text.py", exists: true },
    { module: "wishful.primes", state: "missing", names: ["nth_prime"], path: "/p/.wishful/primes.py", exists: false },
  ];
  assert.deepEqual(moduleItems(modules, false).map((i) => [i.label, i.description, i.detail]),
    [["wishful.text", "generated", "slugify"], ["wishful.primes", "not generated yet", "nth_prime"]]);
  assert.deepEqual(moduleItems(modules, true).map((i) => i.label), ["wishful.text"]);
});

test("the status item shows the model of the active file's folder", () => {
  const status: Status = {
    version: "0.1.0",
    folders: [
      { uri: "file:///w/a", root: "/w/a", model: "offline", offline: true, cacheDir: "/w/a/.wishful", generationEnabled: true, preview: false },
      { uri: "file:///w/ab", root: "/w/ab", model: "openai/gpt-4o-mini", offline: false, cacheDir: "/w/ab/.wishful", generationEnabled: false, preview: true },
    ],
  };
  assert.equal(folderOf(status, "file:///w/ab/x.py")?.root, "/w/ab"); // not /w/a: prefix of the name only
  const offline = describeStatus({ state: "running", busy: false, document: "file:///w/a/app.py", trusted: true }, status);
  assert.equal(offline.text, "$(sparkle) offline model");
  const busy = describeStatus({ state: "running", busy: true, document: "file:///w/ab/app.py", trusted: false }, status);
  assert.equal(busy.text, "$(sparkle) openai/gpt-4o-mini");
  assert.equal(busy.detail, "wishful-lsp 0.1.0 · generation off (untrusted workspace) · review before writing · generating…");
  assert.equal(busy.busy, true);
  const failed = describeStatus({ state: "failed", message: "wishful: the wishful language server (wishful-lsp) is not installed in /v/bin/python." }, status);
  assert.equal(failed.severity, "error");
  assert.equal(failed.text, "wishful: not running");
});

test("API key variables follow the model's provider", () => {
  assert.equal(variableFor("openai/gpt-4o-mini"), "OPENAI_API_KEY");
  assert.equal(variableFor("anthropic/claude-3-5-haiku"), "ANTHROPIC_API_KEY");
  assert.equal(variableFor("ollama/qwen2.5-coder"), undefined);
  assert.equal(variableFor(undefined), undefined);
  assert.ok(validVariable("MY_PROVIDER_API_KEY"));
  assert.ok(!validVariable("PATH") && !validVariable("PYTHONPATH") && !validVariable("lower") && !validVariable("A B"));
});
