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

The ``model`` scenario also starts the fake OpenAI-compatible endpoint of
``support.fake_openai`` in this process; code-server gets no API key from the environment, so the
only key the server can use is the one the scenario enters through "Wishful: Set API Key".

Workspace trust is off (``--disable-workspace-trust``) except in the ``untrusted`` scenario, which
turns it on and opens the workspace in Restricted Mode. The ``install`` scenario's interpreter is
a fresh venv that links this run's dependencies in (``support.venvs.venv_with_dependencies``);
code-server gets ``PIP_NO_INDEX=1`` there, so the extension's pip installs the bundled wheels and
nothing else.

``WISHFUL_TEST_VSIX`` uses an existing .vsix instead of building one (``support.vscode``);
``WISHFUL_TEST_VSCODE_SETTINGS`` (a JSON object) adds to or overrides the user settings the tests
write.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

import pytest

from support.fake_openai import FakeOpenAI, delay
from support.models import FAKE_KEY, answer
from support.proc import clean_env
from support.required import missing_tool
from support.venvs import venv_with_dependencies
from support.vscode import build_vsix

ROOT = Path(__file__).resolve().parent.parent
E2E_DIR = ROOT / ".cache" / "vscode-e2e"
DRIVER = Path(__file__).resolve().parent / "vscode" / "e2e.js"
QUICKSTART = ROOT / "examples" / "quickstart"
ARTIFACTS = ROOT / ".cache" / "test-artifacts" / "vscode"
#: the model the ``model`` scenario sets (litellm's openai provider, pointed at the fake endpoint)
MODEL = "openai/test-model"
#: how long the fake endpoint holds the first request of the ``model`` scenario (it is cancelled)
HANG_SECONDS = 30.0
#: how long the test waits for that request to arrive (litellm's first import takes seconds)
REQUEST_WAIT_SECONDS = 45.0
#: the browser part of one scenario (each step inside it waits at most 60 s)
DRIVER_TIMEOUT = 300.0
#: user settings for a window with workspace trust on: no prompt, no modal dialog for files
#: outside the workspace; a workspace nobody trusted yet opens in Restricted Mode
TRUST_SETTINGS = {
    "security.workspace.trust.enabled": True,
    "security.workspace.trust.startupPrompt": "never",
    "security.workspace.trust.untrustedFiles": "open",
}
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
    missing_tool(what, "scripts/install-editors.sh runs scripts/install-vscode.sh")


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


def _vsix() -> Vsix:
    path = build_vsix()
    return Vsix(path, _extension_id(path))


def _extension_id(vsix: Path) -> str:
    with zipfile.ZipFile(vsix) as archive:
        manifest = json.loads(archive.read("extension/package.json"))
    return f"{manifest['publisher']}.{manifest['name']}".lower()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    """No WISHFUL_* settings (the server uses the offline model unless the user settings name a
    model), no API keys or provider endpoints (the extension's server inherits code-server's
    environment), nothing that would make code-server talk to another VS Code, and a private
    home (code-server and Chromium write there)."""
    env = clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                    XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
                    XDG_STATE_HOME=str(home / ".local/state"))
    for name in list(env):
        if name.startswith(("VSCODE_", "CODE_SERVER_", "LITELLM_")) or name.endswith(
                ("_API_KEY", "_API_BASE", "_BASE_URL")) or name in (
                "PORT", "PASSWORD", "HASHED_PASSWORD", "DEFAULT_MODEL"):
            del env[name]
    return env


def _settings(python: str, extra: Mapping[str, object]) -> dict[str, object]:
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
        **extra,
    }
    chosen = os.environ.get("WISHFUL_TEST_VSCODE_SETTINGS")
    if chosen:
        settings.update(json.loads(chosen))
    return settings


class Session:
    """One code-server, its profile and workspace under ``work``, and what it leaves behind."""

    def __init__(self, tools: Tools, vsix: Vsix, work: Path, scenario: str, python: str,
                 settings: Mapping[str, object] | None = None,
                 driver_env: Mapping[str, str] | None = None,
                 checks: Mapping[str, Callable[[], None]] | None = None,
                 workspace_trust: bool = False):
        """``settings``: user settings on top of the usual ones; ``driver_env``: extra
        environment for e2e.js only; ``checks``: what the test checks at each checkpoint of the
        scenario (an AssertionError fails the step); ``workspace_trust``: VS Code's workspace
        trust on (the workspace opens in Restricted Mode) instead of turned off."""
        self.tools, self.vsix, self.work, self.scenario = tools, vsix, work, scenario
        self.workspace_trust = workspace_trust
        if workspace_trust:
            settings = {**TRUST_SETTINGS, **(settings or {})}
        self.driver_env, self.checks = dict(driver_env or {}), dict(checks or {})
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
            json.dumps(_settings(python, settings or {}), indent=2) + "\n", encoding="utf-8")
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
                 "--disable-telemetry", "--disable-update-check",
                 *([] if self.workspace_trust else ["--disable-workspace-trust"]),
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
        """Run the scenario in the browser, answering its checkpoints; its step log (fail the
        test unless it passes)."""
        env = dict(self.env, NODE_PATH=str(self.tools.node_modules),
                   CS_URL=f"http://127.0.0.1:{self.port}", WORKSPACE=str(self.workspace),
                   SCENARIO=self.scenario, ARTIFACTS=str(self.artifacts),
                   CHROMIUM=self.tools.chromium, USER_DATA=str(self.user_data),
                   CHECKPOINTS="1", **self.driver_env)
        started = time.monotonic()
        driver = subprocess.Popen([self.tools.node, str(DRIVER)], cwd=self.work, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, bufsize=1,
                                  start_new_session=True)
        assert driver.stdin is not None and driver.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()

        def pump(stream: IO[str] = driver.stdout) -> None:
            for line in stream:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=pump, name="e2e.js output", daemon=True)
        reader.start()
        out: list[str] = []
        failed_checks: list[str] = []
        deadline = started + DRIVER_TIMEOUT
        status = ""
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                _kill_tree(driver.pid)  # node and its Chromium
                status = f"timed out after {DRIVER_TIMEOUT:g} s"
                break
            if line is None:
                break
            out.append(line)
            if line.startswith("E2E-CHECK "):
                name = line.split(None, 1)[1].strip()
                answer = self._check(name, failed_checks)
                try:
                    driver.stdin.write(answer + "\n")
                    driver.stdin.flush()
                except OSError:
                    pass  # the driver is gone; its exit status tells
        reader.join(timeout=10)
        while not lines.empty():
            line = lines.get()
            if line is not None:
                out.append(line)
        try:
            driver.stdin.close()
        except OSError:
            pass
        driver.wait(timeout=30)
        status = status or f"exit status {driver.returncode}"
        self.timings["browser"] = time.monotonic() - started
        text = "".join(out)
        if driver.returncode != 0 or failed_checks:
            self.fail("\n".join([f"e2e.js ({self.scenario}): {status}", *failed_checks, text]))
        return text

    def _check(self, name: str, failed: list[str]) -> str:
        """Run the test's check for checkpoint ``name``; the answer for the driver."""
        check = self.checks.get(name)
        if check is None:
            failed.append(f"checkpoint {name}: the test has no check for it")
            return f"fail the test has no check named {name}"
        try:
            check()
        except Exception as e:  # noqa: BLE001 - the driver waits for an answer either way
            why = str(e) if isinstance(e, AssertionError) else repr(e)
            failed.append(f"checkpoint {name} failed: {why}")
            return "fail " + " ".join(why.split())[:500]
        return "ok"

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

    def extension_log(self) -> str:
        """The extension's "wishful" output channel so far (every log file VS Code wrote it to)."""
        logs = self.user_data / "logs"
        files = sorted(p for p in logs.rglob("wishful.log")
                       if p.parent.name.endswith(".wishful")) if logs.is_dir() else []
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)

    def server_processes(self) -> list[list[str]]:
        """The command lines of the language servers running under code-server."""
        found = []
        for pid in _descendants(self.process.pid) if self.process else []:
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            args = [a.decode(errors="replace") for a in argv if a]
            if args[1:3] == ["-m", "wishful_lsp"]:
                found.append(args)
        return found

    def expect_servers(self, *pythons: str, timeout: float = 10.0) -> None:
        """Wait until the language servers under code-server are run by ``pythons`` (one each);
        a server being stopped can take a moment to exit."""
        deadline = time.monotonic() + timeout
        while True:
            running = self.server_processes()
            if sorted(args[0] for args in running) == sorted(pythons):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"language servers running: {running}, expected one for "
                                     f"each of {list(pythons)}")
            time.sleep(0.2)

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
    warning gone, the hover with signature and provenance; then the extension's palette commands:
    Open generated code shows the module, Clear the cache (after its confirmation) removes it and
    the warning returns, Generate all wishes in this file writes it again."""
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


def test_install_here_installs_the_server_and_starts_it(tmp_path: Path) -> None:
    """An interpreter with the server's dependencies (this run's, linked in) but not the server:
    "Install here" pip-installs the two wheels bundled in the extension into it, with a progress
    notification and pip's output in the log, says so, and starts the server from that
    environment; the warning squiggle follows."""
    from wishful_lsp import __version__

    tools, vsix = _tools(), _vsix()
    venv = venv_with_dependencies(tmp_path / "deps-venv")
    python = str(venv.python)
    work = tmp_path / "vscode"
    work.mkdir()
    session: Session

    def server_running() -> None:
        session.expect_servers(python)

    session = Session(tools, vsix, work, "install", python, driver_env={"INTERPRETER": python},
                      checks={"server-running": server_running})
    # the dependencies are all there: pip has no reason to ask an index, and may not
    session.env["PIP_NO_INDEX"] = "1"
    session.run()

    log = session.extension_log()
    command = next((line for line in log.splitlines() if f"$ {python} -m pip install" in line), "")
    wheels = re.findall(r"\S+\.whl", command)
    assert sorted(Path(w).name for w in wheels) == [
        f"wishful_lsp-{__version__}-py3-none-any.whl",
        f"wishful_runtime-{__version__}-py3-none-any.whl"], command
    assert all(Path(w).is_relative_to(session.extensions) for w in wheels), command
    done = re.search(r"pip: Successfully installed (.+)", log)
    assert done, "no 'Successfully installed' among the pip lines of the extension's log"
    assert sorted(done.group(1).split()) == [f"wishful-lsp-{__version__}",
                                             f"wishful-runtime-{__version__}"], done.group(0)
    assert f"starting wishful-lsp {__version__}: {python} -m wishful_lsp" in log

    # a regular install from the wheels in the environment's own site-packages, not editable
    site = venv.site_packages
    assert (site / "wishful_lsp" / "__init__.py").is_file()
    assert not (site / "wishful_lsp").is_symlink()
    assert (site / f"wishful_lsp-{__version__}.dist-info" / "RECORD").is_file()
    direct_url = site / f"wishful_lsp-{__version__}.dist-info" / "direct_url.json"
    if direct_url.is_file():
        assert "dir_info" not in json.loads(direct_url.read_text(encoding="utf-8")), \
            direct_url.read_text(encoding="utf-8")
    assert not [p.name for p in site.iterdir() if "editable" in p.name.lower()]
    where = subprocess.run(
        [python, "-c", "import wishful, wishful_lsp as s; print(s.__file__, wishful.__file__)"],
        check=False, capture_output=True, text=True, timeout=60, cwd=tmp_path, env=clean_env())
    assert where.returncode == 0, where.stderr
    files = where.stdout.split()
    assert [Path(f).is_relative_to(site) for f in files] == [True, True], where.stdout


def test_untrusted_workspace_gets_diagnostics_but_no_generation(tmp_path: Path) -> None:
    """Workspace trust on and the workspace never trusted (Restricted Mode); its
    .vscode/settings.json names an interpreter and a cache directory of its own. The server runs
    in the user's interpreter, shows the warning and the hover, and offers no generation; nothing
    is written. Trusting the workspace restarts the server, which now honours the workspace's
    interpreter (it does not exist: an error says so); with that setting removed, the server
    starts again and offers the generating quick fix."""
    tools, vsix = _tools(), _vsix()
    good, bad = sys.executable, "/nonexistent/python"
    evil_cache = tmp_path / "evil-cache"
    work = tmp_path / "vscode"
    work.mkdir()
    session: Session

    def untouched() -> None:
        assert not evil_cache.exists(), f"{evil_cache} was created"
        assert not (session.workspace / ".wishful").exists(), "the workspace got a .wishful/"

    def runs_the_good_interpreter() -> None:
        session.expect_servers(good)

    def untrusted() -> None:
        untouched()
        runs_the_good_interpreter()
        log = session.extension_log()
        assert bad not in log, "the extension looked at the untrusted workspace's interpreter"
        assert f"{good} -m wishful_lsp" in log, log
        # the server's own account of its folder: the default cache, not the workspace's choice
        caches = re.findall(r"wishful: indexed .*; cache (\S+) ", log)
        assert caches == [str(session.workspace / ".wishful")], log
        assert str(evil_cache) not in log

    def trusted() -> None:
        untouched()
        assert f"checking {bad} (setting)" in session.extension_log()
        # the user drops the workspace's own interpreter and cache directory
        workspace_settings.write_text("{}\n", encoding="utf-8")

    def offered() -> None:
        untouched()
        runs_the_good_interpreter()

    session = Session(tools, vsix, work, "untrusted", good, workspace_trust=True,
                      driver_env={"INTERPRETER": good, "BAD_INTERPRETER": bad},
                      checks={"untrusted": untrusted, "trusted": trusted, "offered": offered})
    workspace_settings = session.workspace / ".vscode" / "settings.json"
    workspace_settings.parent.mkdir()
    workspace_settings.write_text(json.dumps({"wishful.interpreter": bad,
                                              "wishful.cacheDir": str(evil_cache)}, indent=2),
                                  encoding="utf-8")
    user_settings = json.loads((session.user_data / "User" / "settings.json").read_text())
    assert user_settings["wishful.interpreter"] == good
    assert user_settings["security.workspace.trust.enabled"] is True
    session.run()
    untouched()


def test_set_api_key_progress_cancel_and_generate_with_a_model(tmp_path: Path) -> None:
    """A real model through litellm over HTTP: the fake OpenAI endpoint as ``wishful.apiBase``
    and no API key in code-server's environment. "Wishful: Set API Key" offers OPENAI_API_KEY
    first, takes the key in a password box and restarts the server; the quick fix then shows a
    cancellable progress notification while the (held) model request is out; Cancel leaves
    nothing written and the warning in place; the next quick fix generates the module with the
    key in the request's Authorization header, and the key appears in no log and no cache file."""
    tools, vsix = _tools(), _vsix()
    work = tmp_path / "vscode"
    work.mkdir()
    target = work / "workspace" / ".wishful" / "text.py"

    with FakeOpenAI() as server:
        server.responder = answer
        server.script(delay(HANG_SECONDS))  # only the first request hangs

        def request_out() -> None:
            deadline = time.monotonic() + REQUEST_WAIT_SECONDS
            while not server.completions and time.monotonic() < deadline:
                time.sleep(0.05)
            seen = [r.path for r in server.completions]
            assert len(seen) == 1, f"the model endpoint got {len(seen)} requests, not 1: {seen}"

        def cancelled() -> None:
            seen = [r.path for r in server.completions]
            assert len(seen) == 1, f"the model endpoint got {len(seen)} requests, not 1: {seen}"
            assert not target.exists(), f"{target} was written although the generation was cancelled"

        def generated() -> None:
            assert len(server.completions) == 2, [r.path for r in server.completions]
            assert target.is_file()

        session = Session(tools, vsix, work, "model", sys.executable,
                          settings={"wishful.model": MODEL, "wishful.apiBase": server.base_url},
                          driver_env={"API_KEY": FAKE_KEY, "MODEL": MODEL},
                          checks={"request-out": request_out, "cancelled": cancelled,
                                  "generated": generated})
        assert not [k for k in session.env if k.endswith("_API_KEY")]
        out = session.run()
        requests = server.completions
        errors = list(server.errors)

    assert errors == [], errors
    assert len(requests) == 2, [r.path for r in requests]
    for request in requests:
        assert request.has_authorization, request.headers
        assert request.authorization_is(f"Bearer {FAKE_KEY}"), \
            "the Authorization header is not Bearer <the key entered in VS Code>"
        assert request.body["model"] == MODEL.split("/", 1)[1], request.body
    assert "Names to implement: " in requests[1].prompt
    code = target.read_text(encoding="utf-8")
    assert re.search(r"^def extract_emails\(", code, re.MULTILINE), code
    assert "'extract_emails:'" in code, "the module is not the fake model's answer:\n" + code

    # the key went to the server's environment and the request header, and nowhere on disk: not
    # in VS Code's or code-server's logs, the cache, the profile, nor the driver's log
    assert FAKE_KEY not in out
    leaks = [str(p) for root in (session.work, session.artifacts) for p in root.rglob("*")
             if p.is_file() and FAKE_KEY.encode() in p.read_bytes()]
    assert leaks == [], f"the API key is written in {leaks}"
