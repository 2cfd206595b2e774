"""VS Code itself drives the extension: code-server (VS Code 1.100 in the browser) with the
extension's .vsix installed, shown in a headless Chromium that ``tests/vscode/e2e.js`` controls
with playwright-core.

Each test builds a fresh VS Code profile (user data, extensions, settings) and a copy of
``examples/quickstart/`` in a temporary directory, installs the .vsix built by
``scripts/build-vscode.sh``, starts code-server on 127.0.0.1, runs one scenario of ``e2e.js``
and stops code-server again. Screenshots of every step, the driver's step log, code-server's log
and VS Code's extension-host logs (the extension's "wishful" output channel among them) are
copied to ``.cache/test-artifacts/vscode/<scenario>/``; the logs are printed when a test fails.

Without code-server, Chromium or Node the tests are skipped, unless ``WISHFUL_REQUIRE_EDITORS=1``
(CI sets it after ``scripts/install-editors.sh``, which runs ``scripts/install-vscode.sh``): then
they fail, naming what is missing.

``WISHFUL_TEST_VSIX`` uses an existing .vsix instead of building one;
``WISHFUL_TEST_VSCODE_SETTINGS`` (a JSON object) adds to or overrides the user settings the tests
write.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from support.proc import clean_env

ROOT = Path(__file__).resolve().parent.parent
E2E_DIR = ROOT / ".cache" / "vscode-e2e"
DRIVER = Path(__file__).resolve().parent / "vscode" / "e2e.js"
BUILD_SCRIPT = ROOT / "scripts" / "build-vscode.sh"
QUICKSTART = ROOT / "examples" / "quickstart"
ARTIFACTS = ROOT / ".cache" / "test-artifacts" / "vscode"
#: the browser part of one scenario (each step inside it waits at most 60 s)
DRIVER_TIMEOUT = 300.0
BUILD_TIMEOUT = 900.0
LOG_TAIL_LINES = 150


@dataclass(frozen=True)
class Tools:
    code_server: str
    node: str
    node_modules: Path  #: holds playwright-core
    chromium: str


@dataclass(frozen=True)
class Vsix:
    path: Path
    extension_id: str  #: publisher.name, from the manifest inside the .vsix


def _missing(what: str) -> NoReturn:
    if os.environ.get("WISHFUL_REQUIRE_EDITORS") == "1":
        pytest.fail(f"{what} (WISHFUL_REQUIRE_EDITORS=1; scripts/install-editors.sh runs "
                    "scripts/install-vscode.sh)", pytrace=False)
    pytest.skip(f"{what} (CI installs it)")


def _tools() -> Tools:
    install = "run scripts/install-vscode.sh"
    code_server = os.environ.get("WISHFUL_TEST_CODE_SERVER") or str(
        E2E_DIR / "node_modules" / ".bin" / "code-server")
    if not os.access(code_server, os.X_OK):
        _missing(f"code-server not installed at {code_server}: {install}")
    node = shutil.which("node")
    if node is None:
        _missing("node (Node.js 20) not installed")
    node_modules = E2E_DIR / "node_modules"
    if not (node_modules / "playwright-core" / "package.json").is_file():
        _missing(f"playwright-core not installed in {node_modules}: {install}")
    chromium = os.environ.get("WISHFUL_TEST_CHROMIUM") or shutil.which("chromium")
    if chromium is None or not os.access(chromium, os.X_OK):
        _missing(f"chromium not installed ({chromium or 'not on PATH'}): apt-get install "
                 f"chromium, or {install}")
    return Tools(code_server, node, node_modules, chromium)


@functools.cache
def _build_vsix() -> tuple[Vsix | None, str]:
    """The .vsix (built once per test session), or None and why not."""
    chosen = os.environ.get("WISHFUL_TEST_VSIX")
    if chosen:
        path = Path(chosen).resolve()
        if not path.is_file():
            return None, f"WISHFUL_TEST_VSIX={chosen} is not a file"
        return Vsix(path, _extension_id(path)), ""
    if not BUILD_SCRIPT.is_file():
        return None, f"{BUILD_SCRIPT.relative_to(ROOT)} not found"
    started = time.monotonic()
    try:
        proc = subprocess.run([str(BUILD_SCRIPT)], check=False, cwd=ROOT, capture_output=True,
                              text=True, timeout=BUILD_TIMEOUT, env=clean_env())
    except subprocess.TimeoutExpired as e:
        out = [s.decode(errors="replace") if isinstance(s, bytes) else s or ""
               for s in (e.stdout, e.stderr)]
        return None, f"{BUILD_SCRIPT.name} timed out after {BUILD_TIMEOUT:g} s\n" + "\n".join(out)
    report = f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        return None, f"{BUILD_SCRIPT.name} exited {proc.returncode}\n{report}"
    path = Path(lines[-1])
    path = path if path.is_absolute() else ROOT / path
    if path.suffix != ".vsix" or not path.is_file():
        return None, f"the last line {BUILD_SCRIPT.name} printed is not a .vsix file\n{report}"
    print(f"built {path} in {time.monotonic() - started:.1f} s")
    return Vsix(path, _extension_id(path)), ""


def _vsix() -> Vsix:
    vsix, why = _build_vsix()
    if vsix is None:
        if BUILD_SCRIPT.is_file() or os.environ.get("WISHFUL_TEST_VSIX"):
            pytest.fail(f"cannot get the extension's .vsix: {why}", pytrace=False)
        _missing(why)
    return vsix


def _extension_id(vsix: Path) -> str:
    with zipfile.ZipFile(vsix) as archive:
        manifest = json.loads(archive.read("extension/package.json"))
    return f"{manifest['publisher']}.{manifest['name']}".lower()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    """No WISHFUL_* settings (the server uses the offline model), nothing that would make
    code-server talk to another VS Code, and a private home (code-server and Chromium write
    there)."""
    env = clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                    XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
                    XDG_STATE_HOME=str(home / ".local/state"))
    for name in list(env):
        if name.startswith(("VSCODE_", "CODE_SERVER_")) or name in (
                "PORT", "PASSWORD", "HASHED_PASSWORD", "DEFAULT_MODEL"):
            del env[name]
    return env


def _settings(python: str) -> dict[str, object]:
    settings: dict[str, object] = {
        "wishful.interpreter": python,
        "security.workspace.trust.enabled": False,
        "security.workspace.trust.startupPrompt": "never",
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "update.showReleaseNotes": False,
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "extensions.ignoreRecommendations": True,
        "workbench.enableExperiments": False,
        "workbench.tips.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.welcomePage.walkthroughs.openOnInstall": False,
        "chat.disableAIFeatures": True,
    }
    extra = os.environ.get("WISHFUL_TEST_VSCODE_SETTINGS")
    if extra:
        settings.update(json.loads(extra))
    return settings


class Session:
    """One code-server, its profile and workspace under ``work``, and what it leaves behind."""

    def __init__(self, tools: Tools, vsix: Vsix, work: Path, scenario: str, python: str):
        self.tools, self.vsix, self.work, self.scenario = tools, vsix, work, scenario
        self.user_data = work / "user-data"
        self.extensions = work / "extensions"
        self.workspace = work / "workspace"
        self.config = work / "code-server.yaml"
        self.log = work / "code-server.log"
        self.artifacts = ARTIFACTS / scenario
        self.env = _env(work / "home")
        self.timings: dict[str, float] = {}
        self.process: subprocess.Popen[bytes] | None = None

        shutil.rmtree(self.artifacts, ignore_errors=True)
        self.artifacts.mkdir(parents=True)
        (work / "home").mkdir()
        self.extensions.mkdir()
        shutil.copytree(QUICKSTART, self.workspace,
                        ignore=shutil.ignore_patterns(".wishful", "__pycache__"))
        (self.user_data / "User").mkdir(parents=True)
        (self.user_data / "User" / "settings.json").write_text(
            json.dumps(_settings(python), indent=2) + "\n", encoding="utf-8")
        self.port = _free_port()
        # code-server reads its settings from here (and writes a default file if there is none)
        self.config.write_text(f"bind-addr: 127.0.0.1:{self.port}\nauth: none\ncert: false\n",
                               encoding="utf-8")

    def _profile_args(self) -> list[str]:
        return ["--config", str(self.config), "--user-data-dir", str(self.user_data),
                "--extensions-dir", str(self.extensions)]

    def install_extension(self) -> None:
        started = time.monotonic()
        proc = subprocess.run(
            [self.tools.code_server, *self._profile_args(), "--install-extension",
             str(self.vsix.path)],
            check=False, cwd=self.work, env=self.env, capture_output=True, text=True,
            timeout=120)
        self.timings["install-extension"] = time.monotonic() - started
        installed = [p.name for p in self.extensions.iterdir()
                     if p.name.lower().startswith(self.vsix.extension_id + "-")]
        if proc.returncode != 0 or not installed:
            pytest.fail(f"code-server --install-extension {self.vsix.path} exited "
                        f"{proc.returncode}; {self.extensions} holds "
                        f"{sorted(p.name for p in self.extensions.iterdir())}\n"
                        f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}", pytrace=False)

    def start(self) -> None:
        started = time.monotonic()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [self.tools.code_server, *self._profile_args(),
                 "--bind-addr", f"127.0.0.1:{self.port}", "--auth", "none",
                 "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
                 "--disable-getting-started-override", str(self.workspace)],
                cwd=self.work, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{self.port}/healthz"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None:
                self.fail(f"code-server exited {self.process.returncode} before answering {url}")
            if time.monotonic() > deadline:
                self.fail(f"code-server did not answer {url} within 60 s")
            time.sleep(0.1)
        self.timings["code-server up"] = time.monotonic() - started

    def drive(self) -> str:
        """Run the scenario in the browser; its step log (fail the test unless it passes)."""
        env = dict(self.env, NODE_PATH=str(self.tools.node_modules),
                   CS_URL=f"http://127.0.0.1:{self.port}", WORKSPACE=str(self.workspace),
                   SCENARIO=self.scenario, ARTIFACTS=str(self.artifacts),
                   CHROMIUM=self.tools.chromium)
        started = time.monotonic()
        driver = subprocess.Popen([self.tools.node, str(DRIVER)], cwd=self.work, env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            out, _ = driver.communicate(timeout=DRIVER_TIMEOUT)
            status = f"exit status {driver.returncode}"
        except subprocess.TimeoutExpired:
            _kill_tree(driver.pid)  # node and its Chromium
            out, _ = driver.communicate()
            status = f"timed out after {DRIVER_TIMEOUT:g} s"
        self.timings["browser"] = time.monotonic() - started
        if driver.returncode != 0:
            self.fail(f"e2e.js ({self.scenario}): {status}\n{out}")
        return out

    def stop(self) -> None:
        """Stop code-server and everything it started (extension host, language server)."""
        if self.process is not None:
            _kill_tree(self.process.pid)
            self.process.wait(timeout=30)
            self.process = None
        self._collect_logs()

    def fail(self, message: str) -> NoReturn:
        self.stop()
        report = [message, f"timings: {self._timings()}"]
        for log in [self.log, *self._vscode_logs()]:
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
            shown = lines[-LOG_TAIL_LINES:]
            cut = f" (last {len(shown)} of {len(lines)} lines)" if len(shown) < len(lines) else ""
            report.append(f"--- {log}{cut}\n" + "\n".join(shown))
        report.append(f"screenshots and logs: {self.artifacts}")
        pytest.fail("\n".join(report), pytrace=False)

    def _vscode_logs(self) -> list[Path]:
        """The extension host's logs, and every log of the extension's output channel."""
        logs = self.user_data / "logs"
        if not logs.is_dir():
            return []
        return sorted(p for p in logs.rglob("*") if p.is_file() and (
            "exthost" in str(p.relative_to(logs)) or "wishful" in p.name.lower()))

    def _collect_logs(self) -> None:
        target = self.artifacts / "logs"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if self.log.is_file():
            shutil.copy2(self.log, target / "code-server.log")
        logs = self.user_data / "logs"
        for log in self._vscode_logs():
            dest = target / log.relative_to(logs)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(log, dest)

    def _timings(self) -> str:
        return ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items())

    def run(self) -> str:
        try:
            self.install_extension()
            self.start()
            out = self.drive()
        finally:
            self.stop()
        print(f"{self.scenario}: {self._timings()}\n{out}\nscreenshots and logs: {self.artifacts}")
        return out


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(pid: int) -> None:
    """SIGTERM to the process group ``pid`` leads (its own session) and to every descendant
    that left it; SIGKILL to whatever is still there after 5 s."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
        targets = [pid, *_descendants(pid)]
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        for target in targets:
            try:
                os.kill(target, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_running(t) for t in targets):
            time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_generate_quick_fix_end_to_end(tmp_path: Path) -> None:
    """The quickstart with an interpreter that has wishful-lsp (this one): the warning on the
    import, its Problems row, the quick fix through Ctrl+. and Enter, the module on disk, the
    warning gone, the hover with signature and provenance."""
    tools, vsix = _tools(), _vsix()
    work = tmp_path / "vscode"
    work.mkdir()
    session = Session(tools, vsix, work, "generate", sys.executable)
    session.run()
    code = (session.workspace / ".wishful" / "text.py").read_text(encoding="utf-8")
    assert "\ndef extract_emails(" in code, code


def test_broken_interpreter_shows_actionable_error(tmp_path: Path) -> None:
    """An interpreter without wishful-lsp (a fresh venv): an error notification that says so,
    with buttons to install it, pick another interpreter or open the setting; "Settings"
    opens the Settings editor at ``wishful.interpreter``."""
    tools, vsix = _tools(), _vsix()
    venv = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120,
                   cwd=tmp_path, env=clean_env())
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import wishful_lsp"], check=False,
                           capture_output=True, timeout=60, cwd=tmp_path, env=clean_env())
    assert probe.returncode != 0, "the bare venv can import wishful_lsp"
    work = tmp_path / "vscode"
    work.mkdir()
    Session(tools, vsix, work, "broken-interpreter", str(python)).run()
