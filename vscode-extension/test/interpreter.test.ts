import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseInterpreter, expandPath } from "../src/interpreter";

const base = { workspaceFolder: "/work/proj", home: "/home/ada", platform: "linux" as NodeJS.Platform };

test("the wishful.interpreter setting wins over the Python extension and PATH", () => {
  assert.deepEqual(chooseInterpreter({ ...base, setting: "/opt/py/bin/python", pythonExtension: "/venv/bin/python" }),
    { command: "/opt/py/bin/python", source: "setting" });
});

test("without a setting the Python extension's active environment is used", () => {
  assert.deepEqual(chooseInterpreter({ ...base, setting: "  ", pythonExtension: "/venv/bin/python" }),
    { command: "/venv/bin/python", source: "python-extension" });
});

test("without either, python3 on PATH (python on Windows)", () => {
  assert.deepEqual(chooseInterpreter({ ...base }), { command: "python3", source: "path" });
  assert.deepEqual(chooseInterpreter({ ...base, platform: "win32" }), { command: "python", source: "path" });
});

test("the setting expands ~, ${workspaceFolder}, ${userHome} and ${env:NAME}, and resolves relative paths", () => {
  const env = { TOOLS: "/tools" };
  assert.equal(expandPath("~/venvs/w/bin/python", base, env), "/home/ada/venvs/w/bin/python");
  assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", base, env), "/work/proj/.venv/bin/python");
  assert.equal(expandPath("${userHome}/py", base, env), "/home/ada/py");
  assert.equal(expandPath("${env:TOOLS}/python", base, env), "/tools/python");
  assert.equal(expandPath(".venv/bin/python", base, env), "/work/proj/.venv/bin/python");
  assert.equal(expandPath("python3.12", base, env), "python3.12"); // a command on PATH stays one
});
