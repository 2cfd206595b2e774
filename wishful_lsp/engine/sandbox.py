"""Run a candidate module and its examples in a locked-down child interpreter.

One fresh ``python -I -S -B`` child per candidate (:func:`run_sandbox`), several in parallel with
:func:`run_many`. The child runs :mod:`._sandbox_child` (the harness), which applies the layers
below in order and reports one verdict; the parent kills the whole process group at the wall
clock limit and turns everything into a :class:`SandboxReport` whose failures are phrased for a
model to act on.

Layers (``SandboxReport.layers`` lists those that were active in a run):

``process``
    A fresh interpreter (``sys.executable -I -S -B``: no site, no user paths, no ``PYTHON*``
    variables, no bytecode writes), a fixed environment (:data:`CHILD_ENV`, never the parent's:
    it holds API keys), a temporary working directory deleted afterwards, a new session, no
    inherited descriptors but the verdict pipe, and ``SIGKILL`` to the process group at the
    wall-clock limit. Always on.
``rlimits``
    ``RLIMIT_CPU`` (soft, hard = soft + 1), ``RLIMIT_AS``, ``RLIMIT_FSIZE`` 0, ``RLIMIT_NOFILE``,
    ``RLIMIT_CORE`` 0 and ``RLIMIT_NPROC`` 0 (no effect for root), set before anything else.
    Always on.
``guarded-import``
    ``builtins.__import__`` is replaced: imports made by generated code (candidate, examples,
    tests, doctests, and code evaluated from strings) must name a module in
    ``policy.allowed_modules`` (``from a import b`` of a submodule needs ``a.b``); the standard
    library's own imports pass. A refused import raises ``ImportError`` naming the module and is
    reported as a ``blocked-effect`` failure (also when the code catches the error).
``audit-hook``
    A PEP 578 hook. Always denied: writes (by ``open`` mode and by ``os.open`` flags), file
    system changes, processes, signals, sockets and other network modules, ``ctypes``,
    ``sqlite3``, tracing and new audit hooks. Denied when generated code is the caller (the
    nearest frame outside the import machinery): ``compile``/``exec``, new code and function
    objects, ``marshal``, frame access (``sys._getframe``, ``tb_frame``, ``gi_frame`` ... also
    through ``inspect``/``traceback``), ``gc`` walks, unknown events, imports of modules outside
    the policy (also through ``importlib`` internals and ``_imp``), and file reads outside the
    standard library and the time-zone database. The standard library keeps compiling and
    introspecting on its own behalf (dataclasses, namedtuple, enum, typing). Functions that
    reach the host but raise no audit event (``os.mknod``/``mkfifo``, ``setpriority``,
    ``sched_set*``, ``setsid``/``setpgid``, ``pidfd_open``, ``signal.signal``/``setitimer``/
    ``pidfd_send_signal`` ...) are replaced by stubs that raise a denied event, and
    ``_imp.create_builtin`` refuses to make fresh copies of ``posix``, ``_signal`` and
    ``builtins``. While the hook runs it lets only its own frame reads through; any other
    event raised meanwhile (a finalizer run by the garbage collector) is checked in full.
``no-new-privs``, ``landlock``, ``landlock-net``, ``landlock-scope``
    ``PR_SET_NO_NEW_PRIVS`` and Landlock through ``ctypes``: no file writes, creates, removes,
    renames, truncates or ``execute`` anywhere; reads only below the standard library, the
    system library directories, the time-zone database and the temporary directory (so other
    files, secrets included, are unreadable even by C code); with ABI >= 4 no TCP bind or
    connect; with ABI >= 6 no signals to and no abstract Unix sockets of other processes.
``userns``, ``netns``
    ``unshare(CLONE_NEWUSER | CLONE_NEWNET)`` in the child before any thread exists (the same
    system call as ``unshare -rn``, without its extra process): no network but a loopback that
    is down, and no host capabilities even when the parent runs as root. Falls back to
    ``CLONE_NEWNET`` alone (root without user namespaces).

The kernel layers (``landlock``, ``netns``) are used when available and listed in
``SandboxReport.unavailable`` when asked for but not available; a run never fails because one is
missing. :func:`available_layers` probes them once per process. The ``layers`` argument of
:func:`run_sandbox` chooses among :data:`OPTIONAL_LAYERS`; tests use it to show that the audit
hook and the import guard alone also block every effect.

The verdict travels on a pipe passed with ``pass_fds`` and is tagged with a random nonce sent on
stdin; the harness keeps both in a closure. The parent accepts exactly one tagged verdict as the
last message: anything else on that pipe (a missing, duplicate or untagged message) is a
``harness`` failure, and the exit code never decides. The candidate's stdout and stderr are
captured separately (at most ``Limits.output_bytes`` each) and can never look like a verdict.

Failure kinds: ``syntax``; ``import`` (an exception while importing, a missing or non-callable
requested name); ``blocked-effect`` (an effect or import the policy refuses); ``example-failed``
(an example, test or doctest gave another result; doctests only ever produce warnings);
``resource`` (CPU time, memory, recursion); ``timeout`` (the wall clock); ``harness`` (no usable
verdict). ``policy`` is the static checker's.

Environment: :data:`CHILD_ENV` is ``LC_ALL=C.UTF-8`` and ``TZ=UTC`` only. ``PYTHONHASHSEED``
is not set because ``-I`` ignores ``PYTHON*`` variables, so string hashing stays randomised.

Limits of the design (CPython's own words: audit hooks "are not suitable for implementing a
sandbox"): the audit hook and the import guard stop the effects of everything in the shared
attack corpus, but generated code that gets hold of interpreter internals through a path this
module does not know can defeat them; the kernel layers then still contain files, network,
``execute`` and signals. The verdict is computed inside the child, so code that takes over the
interpreter (reads the harness's frames, say) could also forge a passing verdict: the channel
stops printed or written look-alikes, not a full takeover. The static allow-list checker, which
rejects the prerequisites (``sys``, dunders, frames, re-exported modules), is the guarantee
that lasts; this sandbox is the second line and the source of runtime diagnostics. Without
Landlock, a forked child (``os.fork`` is denied by the hook, but not by the kernel for root)
could leave the process group; the parent still kills the main child through a pidfd.
"""

from __future__ import annotations

import hmac
import json
import marshal
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .policy import Policy

__all__ = [
    "ALL_LAYERS",
    "CHILD_ENV",
    "KERNEL_LAYERS",
    "OPTIONAL_LAYERS",
    "ExampleCase",
    "Failure",
    "Limits",
    "SandboxReport",
    "TestCase",
    "available_layers",
    "run_many",
    "run_sandbox",
]

#: The environment of every child: nothing from the parent.
CHILD_ENV: dict[str, str] = {"LC_ALL": "C.UTF-8", "TZ": "UTC"}

#: Layers a caller may switch off (``run_sandbox(layers=...)``); ``process`` and ``rlimits``
#: are always on.
OPTIONAL_LAYERS: tuple[str, ...] = ("audit-hook", "guarded-import", "landlock", "netns")
#: The layers that need kernel support.
KERNEL_LAYERS: tuple[str, ...] = ("landlock", "netns")
#: Every layer name a report can list.
ALL_LAYERS: tuple[str, ...] = ("process", "rlimits", "guarded-import", "audit-hook",
                               "no-new-privs", "landlock", "landlock-net", "landlock-scope",
                               "userns", "netns")

_HARNESS = Path(__file__).with_name("_sandbox_child.py")
# The child's whole program: read the harness's code object from stdin and run it in a fresh
# namespace that no module refers to. The harness then reads the payload from the same stream.
_BOOT = ("import sys,marshal;r=sys.stdin.buffer.read;"
         "exec(marshal.loads(r(int(r(10)))),{'__name__':'__wishful_harness__',"
         "'__builtins__':__builtins__});del r")
_VERDICT_CAP = 4_000_000


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0        # RLIMIT_CPU (soft; hard = soft + 1), whole seconds, >= 1
    wall_seconds: float = 5.0       # parent kills the whole process group after this
    memory_mb: int = 512            # RLIMIT_AS
    open_files: int = 64            # RLIMIT_NOFILE
    output_bytes: int = 1_000_000   # cap on captured stdout/stderr (each; the rest is discarded)


@dataclass(frozen=True)
class ExampleCase:
    """One example call to check after import."""

    call: str                  # Python expression, e.g. "slugify('Hello World')"
    result: str | None = None  # repr/expression of the expected value, or None with ``raises``
    raises: str | None = None  # exception class name expected, e.g. "ValueError"
    source: str = "model"      # "model" | "user" | "doctest" (doctest failures are warnings)


@dataclass(frozen=True)
class TestCase:
    """Trusted test code (e.g. HumanEval hidden tests)."""

    __test__ = False  # not a pytest test class

    name: str
    code: str                  # run in a namespace that starts as a copy of the module's globals
    call: str | None = None    # evaluated afterwards, e.g. "check(candidate)"
    bindings: dict[str, str] = field(default_factory=dict)  # {"candidate": "has_close_elements"}


@dataclass(frozen=True)
class Failure:
    kind: str                 # syntax | policy | import | example-failed | timeout | resource |
    #                           blocked-effect | harness
    message: str              # one line, phrased so a model can act on it
    line: int | None = None   # line in the candidate module, when known
    call: str | None = None
    expected: str | None = None
    got: str | None = None
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "line": self.line,
                "call": self.call, "expected": self.expected, "got": self.got,
                "hint": self.hint}

    def for_model(self) -> str:
        fix = f" Fix: {self.hint}" if self.hint else ""
        return f"[{self.kind}] {self.message}{fix}"


@dataclass(frozen=True)
class SandboxReport:
    passed: bool
    failures: tuple[Failure, ...]
    warnings: tuple[Failure, ...]          # soft signals (doctest mismatches)
    layers: tuple[str, ...]                # layers that were active in this run
    unavailable: tuple[str, ...]           # layers asked for but not available here
    examples_run: int
    examples_passed: int
    tests_run: int
    elapsed: float
    stdout: str = ""                       # the candidate's output (capped)
    stderr: str = ""
    notes: tuple[str, ...] = ()            # diagnostics about the layers

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failures": [f.to_json() for f in self.failures],
            "warnings": [f.to_json() for f in self.warnings],
            "layers": list(self.layers),
            "unavailable": list(self.unavailable),
            "examples_run": self.examples_run,
            "examples_passed": self.examples_passed,
            "tests_run": self.tests_run,
            "elapsed": round(self.elapsed, 4),
            "stdout": self.stdout,
            "stderr": self.stderr,
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- set-up, cached

_lock = threading.Lock()
_harness_blob: bytes | None = None
_roots: tuple[tuple[str, ...], tuple[str, ...]] | None = None
_available: dict[str, bool] | None = None


def _harness() -> bytes:
    """Length header + the marshalled code object of the harness (compiled once)."""
    global _harness_blob
    if _harness_blob is None:
        code = compile(_HARNESS.read_text(encoding="utf-8"), str(_HARNESS), "exec",
                       dont_inherit=True)
        blob = marshal.dumps(code)
        _harness_blob = b"%010d" % len(blob) + blob
    return _harness_blob


def _existing(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if not p:
            continue
        real = os.path.realpath(p)
        if os.path.exists(real) and real not in out:
            out.append(real)
    return out


def _read_roots() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Landlock read roots, audit-hook read roots). The child may read the standard library
    (sources, bytecode, extension modules) and time-zone data; Landlock also lets the dynamic
    loader reach system libraries."""
    global _roots
    if _roots is None:
        # The stdlib entries of sys.path (the stdlib, lib-dynload, a stdlib zip): those under
        # the base installation, without site-packages, which ``-S`` leaves out anyway.
        bases = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.base_exec_prefix)}
        stdlib = [sysconfig.get_paths()["stdlib"], os.path.dirname(os.__file__)]
        stdlib += [p for p in sys.path if p and "site-packages" not in p
                   and any(os.path.realpath(p).startswith(b + os.sep) for b in bases)]
        zoneinfo = ["/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo",
                    "/etc/zoneinfo"]
        system = ["/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64",
                  "/usr/local/lib", "/etc/ld.so.cache", "/etc/ssl/openssl.cnf",
                  "/dev/null", "/dev/urandom", sysconfig.get_config_var("LIBDIR") or ""]
        hook = _existing(stdlib + zoneinfo)
        _roots = (tuple(_existing(stdlib + zoneinfo + system)), tuple(hook))
    return _roots


def available_layers() -> dict[str, bool]:
    """Which layers work here, probed once per process (by running an empty candidate with
    every layer asked for)."""
    global _available
    with _lock:
        if _available is not None:
            return dict(_available)
    report = run_sandbox("wishful_probe", "", doctests=False)
    result = {name: name in report.layers for name in ALL_LAYERS}
    with _lock:
        _available = result
    return dict(result)


def module_paths(modules: Iterable[str]) -> list[str]:
    """The import-path directories holding ``modules`` (those outside the standard library that
    a project allows: the child has no site-packages), found without importing them."""
    import importlib.util

    stdlib = {os.path.realpath(p) for p in (sysconfig.get_paths()["stdlib"],
                                            sysconfig.get_paths()["platstdlib"])}
    found: list[str] = []
    for name in sorted({m.split(".")[0] for m in modules}):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
            continue
        origin = Path(spec.origin)
        directory = origin.parent.parent if spec.submodule_search_locations else origin.parent
        real = os.path.realpath(directory)
        if real not in stdlib and real not in found:
            found.append(real)
    return found


# --------------------------------------------------------------------------- one run

def _cpu_soft(limits: Limits) -> int:
    return max(1, int(-(-limits.cpu_seconds // 1)))


def _fmt(seconds: float) -> str:
    return f"{seconds:g}"


def run_sandbox(
    module: str,
    code: str,
    *,
    names: Sequence[str] = (),
    examples: Sequence[ExampleCase] = (),
    tests: Sequence[TestCase] = (),
    policy: Policy | None = None,
    limits: Limits | None = None,
    doctests: bool = True,
    layers: Sequence[str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> SandboxReport:
    """Import ``code`` as module ``module`` in a sandboxed child and check it.

    ``names`` must exist and be callable (or classes); ``examples`` and ``tests`` run after the
    import, then the ``>>>`` examples in the docstrings of ``names`` (when ``doctests``).
    ``layers`` picks among :data:`OPTIONAL_LAYERS` (default: all); ``process`` and ``rlimits``
    are always on. ``cwd`` is the child's working directory (it must exist and stays; by
    default a new temporary directory, deleted afterwards).
    """
    started = time.perf_counter()
    policy = policy or Policy.default()
    limits = limits or Limits()
    wanted = list(OPTIONAL_LAYERS if layers is None else
                  [name for name in OPTIONAL_LAYERS if name in set(layers)])
    unknown = set(layers or ()) - set(OPTIONAL_LAYERS) - {"process", "rlimits"}
    if unknown:
        raise ValueError(f"unknown sandbox layers: {sorted(unknown)}")

    landlock_roots, hook_roots = _read_roots()
    extra_paths = module_paths(policy.extra_modules)
    nonce = secrets.token_hex(16).encode("ascii")
    own_dir = cwd is None
    workdir = (tempfile.mkdtemp(prefix="wishful-sandbox-") if own_dir
               else os.path.realpath(os.fspath(cwd)))  # type: ignore[arg-type]
    payload = {
        "nonce": nonce,
        "module": module,
        "code": code,
        "names": [str(n) for n in names],
        "examples": [(e.call, e.result, e.raises, e.source) for e in examples],
        "tests": [(t.name, t.code, t.call, sorted(t.bindings.items())) for t in tests],
        "allowed": sorted(policy.allowed_modules),
        "layers": wanted,
        "doctests": bool(doctests),
        "read_roots": [*landlock_roots, *extra_paths, workdir],
        "hook_read_roots": [*hook_roots, *extra_paths],
        "extra_paths": extra_paths,
        "cwd": workdir,
        "limits": {"cpu": _cpu_soft(limits), "as": int(limits.memory_mb) * 1024 * 1024,
                   "nofile": int(limits.open_files), "memory_mb": int(limits.memory_mb)},
    }
    try:
        return _spawn_and_collect(payload, limits, started, workdir)
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)


class _Channel:
    """What came back from one child."""

    def __init__(self) -> None:
        self.verdict: dict[str, Any] | None = None
        self.stage: dict[str, Any] | None = None
        self.problems: list[str] = []


def _spawn_and_collect(payload: dict[str, Any], limits: Limits, started: float,
                       workdir: str) -> SandboxReport:
    read_fd, write_fd = os.pipe()
    try:
        payload["fd"] = write_fd
        data = _harness() + marshal.dumps(payload)
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", "-c", _BOOT],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=workdir, env=dict(CHILD_ENV), pass_fds=(write_fd,), close_fds=True,
            start_new_session=True,
        )
    except BaseException:
        os.close(read_fd)
        os.close(write_fd)
        raise
    os.close(write_fd)
    spawned = time.perf_counter()
    out = _collect(proc, data, read_fd, limits, spawned)
    return _report(payload, limits, out, started)


class _Outcome:
    def __init__(self) -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.verdict_raw = bytearray()
        self.verdict_overflow = False
        self.timed_out = False
        self.returncode: int | None = None
        self.cpu = 0.0


def _kill(proc: subprocess.Popen[bytes], pidfd: int | None) -> None:
    """SIGKILL the child (even if it left its group) and its whole process group."""
    if pidfd is not None:
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    else:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass


def _collect(proc: subprocess.Popen[bytes], data: bytes, verdict_fd: int, limits: Limits,
             spawned: float) -> _Outcome:
    out = _Outcome()
    cap = max(0, int(limits.output_bytes))
    deadline = spawned + float(limits.wall_seconds)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    stdin_fd = proc.stdin.fileno()
    pidfd: int | None
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (OSError, AttributeError):
        pidfd = None
    sel = selectors.DefaultSelector()
    buffers = {proc.stdout.fileno(): (out.stdout, cap), proc.stderr.fileno(): (out.stderr, cap),
               verdict_fd: (out.verdict_raw, _VERDICT_CAP)}
    pending = memoryview(data)
    try:
        os.set_blocking(stdin_fd, False)
        sel.register(stdin_fd, selectors.EVENT_WRITE)
        for fd in buffers:
            sel.register(fd, selectors.EVENT_READ)
        if pidfd is not None:
            sel.register(pidfd, selectors.EVENT_READ)
        exited = False
        grace: float | None = None
        while True:
            now = time.perf_counter()
            if not exited and now >= deadline:
                out.timed_out = True
                _kill(proc, pidfd)
                exited = True
                grace = now + 1.0
            readers = [k for k in sel.get_map().values() if k.fd in buffers]
            if exited and not readers:
                break
            if grace is not None and now >= grace:
                break
            limit = (grace if grace is not None else deadline) - now
            if pidfd is None and not exited:
                limit = min(limit, 0.01)
            for key, _ in sel.select(max(0.0, limit)):
                fd = key.fd
                if fd == stdin_fd:
                    try:
                        n = os.write(stdin_fd, pending[:65536])
                    except BlockingIOError:
                        continue
                    except OSError:
                        n = len(pending)  # the child closed stdin early
                    pending = pending[n:]
                    if not pending:
                        sel.unregister(stdin_fd)
                        proc.stdin.close()
                elif fd == pidfd:
                    sel.unregister(pidfd)
                    exited = True
                    _kill(proc, None)  # leftovers in the group; the child is a zombie now
                    grace = time.perf_counter() + 1.0
                else:
                    try:
                        chunk = os.read(fd, 65536)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        sel.unregister(fd)
                        continue
                    buf, limit_bytes = buffers[fd]
                    room = limit_bytes - len(buf)
                    if room > 0:
                        buf += chunk[:room]
                    if fd == verdict_fd and len(chunk) > room:
                        out.verdict_overflow = True
            if pidfd is None and not exited and proc.poll() is not None:
                exited = True
                grace = time.perf_counter() + 1.0
    finally:
        sel.close()
        if not exited or out.timed_out:
            _kill(proc, pidfd)
        if proc.returncode is None:
            try:
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
                out.cpu = usage.ru_utime + usage.ru_stime
            except ChildProcessError:
                proc.wait()
        out.returncode = proc.returncode
        if pidfd is not None:
            os.close(pidfd)
        os.close(verdict_fd)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
    return out


def _parse_channel(raw: bytes, nonce: bytes, overflow: bool) -> _Channel:
    channel = _Channel()
    if overflow:
        channel.problems.append("the verdict channel overflowed")
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        channel.problems.append("the verdict channel ended with a partial message")
        lines.pop()
    for line in lines:
        if len(channel.problems) >= 10:
            break  # garbage; what is known suffices for the failure
        tag, _, rest = line.partition(b" ")
        if not hmac.compare_digest(tag, nonce):
            channel.problems.append("an untagged message arrived on the verdict channel")
            continue
        kind, _, body = rest.partition(b" ")
        try:
            obj = json.loads(body.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            channel.problems.append("a malformed message arrived on the verdict channel")
            continue
        if not isinstance(obj, dict):
            channel.problems.append("a malformed message arrived on the verdict channel")
        elif kind == b"S":
            if channel.verdict is not None:
                channel.problems.append("a message followed the verdict")
            channel.stage = obj
        elif kind == b"V":
            if channel.verdict is not None:
                channel.problems.append("a second verdict arrived")
            else:
                channel.verdict = obj
        else:
            channel.problems.append("an unknown message arrived on the verdict channel")
    return channel


def _where(stage: dict[str, Any] | None) -> str:
    if not stage:
        return " while starting"
    what = stage.get("stage")
    call = stage.get("call")
    if what == "import":
        return " while importing the module"
    if what == "example":
        return f" while running `{call}`"
    if what == "test":
        return f" while running test {call!r}"
    if what == "doctest":
        return f" while running the docstring examples of {call!r}"
    return ""


def _failures(items: Any) -> list[Failure]:
    out: list[Failure] = []
    if not isinstance(items, list):
        return out
    for item in items:
        if not isinstance(item, dict):
            continue

        def text(key: str, item: dict[str, Any] = item) -> str | None:
            value = item.get(key)
            return None if value is None else str(value)

        line = item.get("line")
        out.append(Failure(
            kind=str(item.get("kind", "harness")), message=str(item.get("message", "")),
            line=line if isinstance(line, int) and not isinstance(line, bool) else None,
            call=text("call"), expected=text("expected"), got=text("got"),
            hint=str(item.get("hint") or "")))
    return out


def _tail(data: bytes, limit: int = 300) -> str:
    text = data.decode("utf-8", "replace").strip()
    text = " ".join(text.splitlines()[-3:])
    return text[-limit:]


def _report(payload: dict[str, Any], limits: Limits, out: _Outcome,
            started: float) -> SandboxReport:
    channel = _parse_channel(bytes(out.verdict_raw), payload["nonce"], out.verdict_overflow)
    where = _where(channel.stage)
    failures: list[Failure] = []
    warnings: list[Failure] = []
    verdict = channel.verdict
    cpu_soft = payload["limits"]["cpu"]
    rc = out.returncode
    if out.timed_out:
        failures.append(Failure(
            "timeout", f"wall-clock limit of {_fmt(limits.wall_seconds)} s exceeded{where}; "
            "the process group was killed", call=_stage_call(channel.stage),
            hint="Make the code finish quickly: no sleeping, waiting or unbounded loops."))
    elif verdict is None:
        if rc == -signal.SIGXCPU or out.cpu >= cpu_soft - 0.05:
            failures.append(Failure(
                "resource", f"CPU time limit of {_fmt(cpu_soft)} s exceeded{where}",
                call=_stage_call(channel.stage),
                hint="Make the code terminate quickly: avoid unbounded loops and brute force."))
        elif rc == -signal.SIGKILL:
            failures.append(Failure(
                "resource", f"the process was killed (SIGKILL){where}, probably by the memory "
                f"limit of {limits.memory_mb} MB", call=_stage_call(channel.stage),
                hint="Use far less memory."))
        elif rc is not None and rc < 0:
            failures.append(Failure(
                "harness", f"the sandbox process died from signal {-rc}{where}",
                call=_stage_call(channel.stage),
                hint="The code crashed the interpreter; remove native or unusual code."))
        else:
            failures.append(Failure(
                "harness", f"the sandbox process exited with status {rc}{where} without a "
                "verdict (did the code exit the interpreter?)"
                + (f"; stderr: {_tail(bytes(out.stderr))}" if out.stderr.strip() else ""),
                call=_stage_call(channel.stage),
                hint="Do not exit the interpreter or close file descriptors in the module."))
    if channel.problems:
        failures.append(Failure(
            "harness", "the verdict channel was tampered with: " + "; ".join(
                dict.fromkeys(channel.problems)) + " (generated code wrote to a file "
            "descriptor it does not own)",
            hint="Do not write to file descriptors other than stdout and stderr."))

    layers: list[str] = []
    unavailable: list[str] = []
    notes: list[str] = []
    counts = {"examples_run": 0, "examples_passed": 0, "tests_run": 0}
    if verdict is not None:
        failures = _failures(verdict.get("failures")) + failures
        warnings = _failures(verdict.get("warnings"))
        for key in counts:
            value = verdict.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                counts[key] = value
        layers = [x for x in verdict.get("layers", []) if isinstance(x, str)]
        unavailable = [x for x in verdict.get("unavailable", []) if isinstance(x, str)]
        notes = [x for x in verdict.get("notes", []) if isinstance(x, str)]
    else:
        layers = ["process"]
    return SandboxReport(
        passed=verdict is not None and not failures,
        failures=tuple(failures),
        warnings=tuple(warnings),
        layers=tuple(layers),
        unavailable=tuple(unavailable),
        examples_run=counts["examples_run"],
        examples_passed=counts["examples_passed"],
        tests_run=counts["tests_run"],
        elapsed=time.perf_counter() - started,
        stdout=bytes(out.stdout).decode("utf-8", "replace"),
        stderr=bytes(out.stderr).decode("utf-8", "replace"),
        notes=tuple(notes),
    )


def _stage_call(stage: dict[str, Any] | None) -> str | None:
    if stage and stage.get("stage") in ("example", "test", "doctest"):
        call = stage.get("call")
        return str(call) if call is not None else None
    return None


def run_many(jobs: Sequence[dict[str, Any]], *, workers: int | None = None) -> list[SandboxReport]:
    """Each job is the keyword arguments of :func:`run_sandbox`; they run in parallel (default
    ``os.cpu_count()`` at a time) and the reports come back in the order of ``jobs``."""
    jobs = list(jobs)
    if not jobs:
        return []
    workers = max(1, workers or os.cpu_count() or 1)
    if workers == 1 or len(jobs) == 1:
        return [run_sandbox(**job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs)),
                            thread_name_prefix="wishful-sandbox") as pool:
        return list(pool.map(lambda job: run_sandbox(**job), jobs))
