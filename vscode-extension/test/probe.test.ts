import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { PROBE, classifyProbe, explainInstallFailure, installArgs, olderServerNote } from "../src/probe";

const fromSetting = { command: "/venv/bin/python", source: "setting" as const };
const line = (o: object) => JSON.stringify(o) + "\n";

test("a missing interpreter says so and offers to pick another", () => {
  const result = classifyProbe(fromSetting, { errorCode: "ENOENT", exitCode: null, stdout: "", stderr: "" });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.kind, "not-found");
  assert.match(result.message, /\/venv\/bin\/python \(from the wishful.interpreter setting\): no such file/);
  assert.deepEqual(result.actions, ["selectInterpreter", "openSettings"]);
});

test("an interpreter without wishful-lsp offers install, select interpreter, open settings", () => {
  const stdout = line({ executable: "/venv/bin/python", python: [3, 11, 7], missing: ["wishful_lsp", "wishful", "pygls", "lsprotocol", "litellm"], version: null });
  const result = classifyProbe(fromSetting, { exitCode: 0, stdout, stderr: "" });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.kind, "not-installed");
  assert.equal(result.message, "wishful: the wishful language server (wishful-lsp) is not installed in /venv/bin/python (from the wishful.interpreter setting).");
  assert.deepEqual(result.actions, ["install", "selectInterpreter", "openSettings"]);
});

test("a partial install names the missing dependencies", () => {
  const stdout = line({ executable: "/venv/bin/python", python: [3, 12, 1], missing: ["litellm"], version: "0.1.0" });
  const result = classifyProbe(fromSetting, { exitCode: 0, stdout, stderr: "" });
  assert.ok(!result.ok && result.message.includes("missing: litellm"));
});

test("old Pythons and broken interpreters are explained", () => {
  const old = classifyProbe(fromSetting, { exitCode: 0, stdout: line({ executable: "/usr/bin/python3.8", python: [3, 8, 10], missing: [], version: "0.1.0" }), stderr: "" });
  assert.ok(!old.ok && old.kind === "too-old" && old.message.includes("Python 3.8.10") && old.message.includes("3.10 or newer"));
  const broken = classifyProbe(fromSetting, { exitCode: 1, stdout: "", stderr: "Traceback...\nImportError: libpython3.11.so.1.0: cannot open\n" });
  assert.ok(!broken.ok && broken.kind === "failed" && broken.message.endsWith("ImportError: libpython3.11.so.1.0: cannot open."));
  const hung = classifyProbe(fromSetting, { errorCode: "ETIMEDOUT", exitCode: null, stdout: "", stderr: "" });
  assert.ok(!hung.ok && hung.message.includes("did not answer within 30 s"));
});

test("a working install is ready, even with noise printed before the answer", () => {
  const stdout = "sitecustomize says hi\n" + line({ executable: "/venv/bin/python", python: [3, 11, 7], missing: [], version: "0.1.0" });
  assert.deepEqual(classifyProbe(fromSetting, { exitCode: 0, stdout, stderr: "" }),
    { ok: true, executable: "/venv/bin/python", python: "3.11.7", version: "0.1.0" });
});

test("the probe script runs in a real Python and its answer classifies", () => {
  const python = process.env.WISHFUL_TEST_PYTHON || "python3";
  const run = spawnSync(python, ["-c", PROBE], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const result = classifyProbe({ command: python, source: "path" }, { exitCode: run.status, stdout: run.stdout, stderr: run.stderr });
  const info = JSON.parse(run.stdout);
  assert.equal(result.ok, info.missing.length === 0);
  assert.ok(Array.isArray(info.python) && info.python[0] === 3);
});

test("pip failures get a reason the user can act on", () => {
  assert.deepEqual(installArgs(["/x/a.whl"]), ["-m", "pip", "install", "--disable-pip-version-check", "/x/a.whl"]);
  assert.match(explainInstallFailure("error: externally-managed-environment\n", 1), /PEP 668.*virtual environment/);
  assert.match(explainInstallFailure("/usr/bin/python3: No module named pip\n", 1), /no pip/);
  assert.match(explainInstallFailure("ERROR: Could not find a version that satisfies the requirement litellm==1.106.2\n", 1), /could not download/);
  assert.equal(explainInstallFailure("", 2), "pip exited with code 2");
});

test("an older installed server gets a note; the same or a newer one does not", () => {
  const ready = (version: string) => ({ ok: true as const, executable: "/v/bin/python", python: "3.11.7", version });
  assert.equal(olderServerNote(ready("0.0.9"), "0.1.0"),
    "wishful: /v/bin/python has wishful-lsp 0.0.9; this extension ships 0.1.0, whose features it may rely on.");
  assert.equal(olderServerNote(ready("0.1"), "0.1.1")?.includes("0.1.1"), true);
  assert.equal(olderServerNote(ready("0.1.0"), "0.1.0"), undefined);
  assert.equal(olderServerNote(ready("0.10.0"), "0.9.3"), undefined);
  assert.equal(olderServerNote(ready("1.0.0.dev1"), "0.9.0"), undefined);
});
