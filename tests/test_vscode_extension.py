"""The VS Code extension's own checks: TypeScript strict type check and the node unit tests (pure
logic: interpreter choice, settings sent to the server, restart coalescing, probe verdicts,
status text), and the packaged .vsix (what it holds, and that its server wheels install and run).

The end-to-end run in VS Code itself is ``test_vscode_e2e.py``. Without Node.js these tests are
skipped, unless ``WISHFUL_REQUIRE_EDITORS=1`` (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.proc import clean_env
from support.required import missing_tool
from support.venvs import venv_with_dependencies
from support.vscode import build_vsix

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "vscode-extension"


def _need_npm() -> None:
    if shutil.which("npm") and shutil.which("node"):
        return
    missing_tool("Node.js/npm not installed: the VS Code extension is not built or tested",
                 "install Node.js 20 or newer")


def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_typecheck_and_unit_tests() -> None:
    _need_npm()
    install = _run("bash", "-c", "set -e; ROOT=$PWD; source scripts/_npm.sh")
    assert install.returncode == 0, install.stderr
    # the probe's own test runs the probe in this interpreter, which has the server installed
    run = _run("npm", "test", "--workspace", "vscode-extension", env={"WISHFUL_TEST_PYTHON": sys.executable})
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "# fail 0" in output and "# pass " in output, output[-3000:]


@pytest.fixture(scope="module")
def vsix() -> Path:
    _need_npm()
    return build_vsix()


def test_vsix_holds_the_bundle_the_manifest_and_the_server_wheels(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
    version = manifest["version"]
    assert {"extension/package.json", "extension/out/extension.js", "extension/readme.md",
            "extension/changelog.md", "extension/LICENSE.txt",
            f"extension/bundled/wheels/wishful_lsp-{version}-py3-none-any.whl",
            f"extension/bundled/wheels/wishful_runtime-{version}-py3-none-any.whl"} <= names
    # the README's screenshots travel with it (VS Code shows the README from the .vsix)
    images = re.findall(r"\]\((media/[^)]+)\)", (EXTENSION / "README.md").read_text())
    assert images and {f"extension/{i}" for i in images} <= names
    # sources, tests, node_modules and source maps stay out
    assert not [n for n in names if n.startswith(("extension/src/", "extension/test/", "extension/node_modules/"))
                or n.endswith((".ts", ".map"))]
    assert manifest["engines"]["vscode"] == "^1.91.0"
    assert "onLanguage:python" in manifest["activationEvents"]
    assert manifest["capabilities"]["untrustedWorkspaces"]["supported"] == "limited"
    from wishful_lsp import __version__
    assert version == __version__, "the extension and the server it bundles share one version"


def test_bundled_wheels_install_a_working_server(vsix: Path, tmp_path: Path) -> None:
    """What "Install into this environment" does, minus the download: the wheels from the .vsix go
    into a fresh virtual environment that already has the dependencies (from this test run's
    environment), and the server starts from there."""
    with zipfile.ZipFile(vsix) as archive:
        wheels = [n for n in archive.namelist() if n.endswith(".whl")]
        archive.extractall(tmp_path / "vsix", wheels)
    # the dependencies, without this project: a .pth pointing at a copy-free view of site-packages
    venv = venv_with_dependencies(tmp_path / "venv")
    python, target_site = venv.python, venv.site_packages
    probe = subprocess.run([str(python), "-c", "import wishful_lsp"], capture_output=True, text=True,
                           cwd=tmp_path, env=clean_env())
    assert probe.returncode != 0, "the fresh environment must not see this checkout's server"
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--disable-pip-version-check",
                              *[str(tmp_path / "vsix" / w) for w in wheels]],
                             capture_output=True, text=True, timeout=300, cwd=tmp_path, env=clean_env())
    assert install.returncode == 0, install.stdout + install.stderr
    started = subprocess.run([str(python), "-m", "wishful_lsp", "--help"], capture_output=True, text=True,
                             timeout=60, env=clean_env(), cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert "wishful" in started.stdout.lower()
    where = subprocess.run([str(python), "-c", "import wishful_lsp, wishful; print(wishful_lsp.__file__, wishful.__file__)"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path, env=clean_env())
    assert str(target_site) in where.stdout and where.stdout.count(str(target_site)) == 2, where.stdout
