// Build the wishful-lsp and wishful-runtime wheels into bundled/wheels/, so the extension can
// install the server matching its own version ("Install into this environment").
// Python: $WISHFUL_PYTHON, else the repository's .venv, else python3.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extension = resolve(here, "..");
const root = resolve(extension, "..");
const out = join(extension, "bundled", "wheels");
const venv = join(root, ".venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
const python = process.env.WISHFUL_PYTHON || (existsSync(venv) ? venv : "python3");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const args = ["-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps", "--wheel-dir", out,
  root, join(root, "runtime")];
console.log(`wheels: ${python} ${args.join(" ")}`);
const run = spawnSync(python, args, { stdio: "inherit" });
if (run.error || run.status !== 0) {
  console.error(`wheels: building the server wheels failed (${run.error ?? `exit ${run.status}`})`);
  process.exit(1);
}
const built = readdirSync(out).filter((f) => f.endsWith(".whl"));
if (!built.some((f) => f.startsWith("wishful_lsp-")) || !built.some((f) => f.startsWith("wishful_runtime-"))) {
  console.error(`wheels: expected wishful_lsp and wishful_runtime wheels, got ${built.join(", ") || "none"}`);
  process.exit(1);
}
console.log(`wheels: ${built.join(", ")}`);
