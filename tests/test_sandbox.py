"""The sandbox: real child interpreters running the shared corpora, examples, tests and forgeries.

Attack modules are never imported here: they only ever run inside the sandbox, and each run is
checked for effects on the host (files in the sandbox's directory, the test's directory and
``/tmp``; a connection to a listening socket on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from wishful_lsp.engine.policy import Policy
from wishful_lsp.engine.sandbox import (
    ALL_LAYERS,
    ExampleCase,
    Limits,
    SandboxReport,
    TestCase,
    available_layers,
    run_many,
    run_sandbox,
)

ROOT = Path(__file__).resolve().parent.parent


CORPUS = ROOT / "tests" / "corpus" / "shared"
BENIGN = sorted((CORPUS / "benign").glob("*.py"))
ATTACKS = sorted((CORPUS / "attacks").glob("*.py"))
RESOURCE = sorted((CORPUS / "attacks" / "resource").glob("*.py"))
#: The project's own attack corpus (tests/corpus/attacks): every module must have no effect on
#: the host through the sandbox alone; some are static-only tricks that may "pass" dynamically.
OWN_ATTACKS = sorted((ROOT / "tests" / "corpus" / "attacks").glob("*.py"))
#: The project's own resource bombs: work in library code (C-level too) that only limits stop.
OWN_RESOURCE = sorted((ROOT / "tests" / "corpus" / "attacks" / "resource").glob("*.py"))

#: The audit hook and the import guard only: what runs where kernel layers are missing.
PYTHON_ONLY = ("audit-hook", "guarded-import")
#: The audit hook by itself (no import guard, no kernel layers).
HOOK_ONLY = ("audit-hook",)
#: Kernel layers only: Landlock and the namespaces, no Python-level policy at all.
KERNEL_ONLY = ("landlock", "netns")

#: Attacks that are pure introspection with no effect (research table: "ran¹"); only the static
#: checker rejects them. They may pass dynamically; they must still have no effect.
INTROSPECTION_ONLY = {
    "026_operator_attrgetter_dunders",  # walks dunders, calls nothing dangerous
    "028_format_globals_leak",          # formats a globals dict into a string
    "042_datetime_sys",                 # reads datetime.sys.modules
    "044_future_annotation_eval",       # the annotation is never evaluated
}

#: Attacks whose only step is importing a module that is already loaded (``os`` after
#: ``import typing``): without the import guard no audit event fires, so under the hook alone
#: they run, with no effect. This is why the guard exists.
IMPORT_ONLY = {"027_get_type_hints_eval"}

# Examples for every benign module: (requested names, examples). They exercise the lazy
# imports and C helpers (strptime, hashlib, unicodedata, decimal) under every layer.
BENIGN_EXAMPLES: dict[str, tuple[list[str], list[ExampleCase]]] = {
    "01_emails": (["extract_emails"], [
        ExampleCase("extract_emails('Mail Bob@Example.com or team@demo.dev')",
                    "['bob@example.com', 'team@demo.dev']"),
    ]),
    "02_json_pretty": (["pretty", "parse_or_default"], [
        ExampleCase("pretty({'b': 1, 'a': 2})", "'{\\n  \"a\": 2,\\n  \"b\": 1\\n}'"),
        ExampleCase("parse_or_default('nope', 5)", "5"),
        ExampleCase("parse_or_default('[1]')", "[1]"),
    ]),
    "03_dataclass_point": (["Point"], [
        ExampleCase("Point(3, 4).distance_to(Point(0))", "5.0"),
        ExampleCase("repr(Point(1.5))", "'Point(1.5, 0.0)'"),
        ExampleCase("(lambda p: setattr(p, 'x', 2))(Point(1))", raises="FrozenInstanceError"),
    ]),
    "04_dates": (["to_yyyy_mm_dd", "next_day"], [
        ExampleCase("to_yyyy_mm_dd('March 5, 2024')", "'2024-03-05'"),
        ExampleCase("next_day('12/31/2023')", "'2024-01-01'"),
        ExampleCase("to_yyyy_mm_dd('garbage')", raises="ValueError"),
    ]),
    "05_primes": (["is_prime", "primes_below"], [
        ExampleCase("primes_below(20)", "[2, 3, 5, 7, 11, 13, 17, 19]"),
        ExampleCase("is_prime(1)", "False"),
    ]),
    "06_counter": (["top_words", "group_by_length"], [
        ExampleCase("top_words('a b a c a b', 2)", "[('a', 3), ('b', 2)]"),
        ExampleCase("group_by_length(['hi', 'yo', 'hey'])", "{2: ['hi', 'yo'], 3: ['hey']}"),
    ]),
    "07_iter": (["chunks", "runs", "by_score"], [
        ExampleCase("list(chunks(range(5), 2))", "[[0, 1], [2, 3], [4]]"),
        ExampleCase("runs('aaab')", "[('a', 3), ('b', 1)]"),
        ExampleCase("by_score([('x', 1), ('y', 3)])", "[('y', 3), ('x', 1)]"),
    ]),
    "08_typing": (["Color", "Pair", "Movie", "describe", "bumped"], [
        ExampleCase("describe({'title': 'Heat', 'year': 1995}, Color.RED)", "'Heat (1995, red)'"),
        ExampleCase("bumped(Pair(1))", "Pair(a=2, b=0)"),
        ExampleCase("Color('green')", "Color.GREEN"),
    ]),
    "09_text": (["slugify", "reflow"], [
        ExampleCase("slugify('Héllo Wörld!')", "'hello-world'"),
        ExampleCase("reflow('  a b c', 3)", "'a b\\nc'"),
    ]),
    "10_misc": (["fib", "read_rows", "digest", "Stack"], [
        ExampleCase("fib(30)", "832040"),
        ExampleCase("read_rows('a,b\\n1,2\\n')", "[{'a': '1', 'b': '2'}]"),
        ExampleCase("digest('abc')",
                    "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'"),
        ExampleCase("(lambda s: (s.push(1), s.push(2), s.pop())[-1])(Stack())", "2"),
    ]),
    "11_money": (["round_money", "median_price", "receipt"], [
        ExampleCase("round_money(2.675)", "Decimal('2.68')"),
        ExampleCase("median_price([3.0, 1.0, 2.0])", "2.0"),
        ExampleCase("receipt('Ann', 3.5)", "'Ann owes 3.50'"),
    ]),
    "12_heap": (["name_of", "smallest", "insert_sorted"], [
        ExampleCase("name_of(object())", "'anon'"),
        ExampleCase("smallest([5, 1, 4, 2], 2)", "[1, 2]"),
        ExampleCase("insert_sorted([1, 3], 2)", "[1, 2, 3]"),
    ]),
}


def _messages(report: SandboxReport) -> str:
    return "\n".join(f.for_model() for f in (*report.failures, *report.warnings))


@pytest.fixture(scope="module")
def layers_here() -> dict[str, bool]:
    return available_layers()


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[socket.socket, int]]:
    """A listening TCP socket on 127.0.0.1, port 9 when we may bind it (we run as root)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", 9))
    except OSError:
        sock.bind(("127.0.0.1", 0))  # not root, or port 9 in use: attacks are retargeted
    sock.listen(16)
    sock.setblocking(False)
    yield sock, sock.getsockname()[1]
    sock.close()


def _no_connection(sock: socket.socket) -> None:
    try:
        conn, peer = sock.accept()
    except BlockingIOError:
        return
    conn.close()
    raise AssertionError(f"the sandboxed code connected to the host listener from {peer}")


def _retarget(code: str, port: int) -> str:
    """The connect attacks aimed at ``port`` instead of 9."""
    if port == 9:
        return code
    return (code.replace("('127.0.0.1', 9)", f"('127.0.0.1', {port})")
            .replace("http://127.0.0.1:9", f"http://127.0.0.1:{port}"))


def _tmp_entries() -> set[str]:
    return set(os.listdir("/tmp"))


def _new_tmp_files(before: set[str]) -> list[str]:
    """Entries that appeared in /tmp and look like an attack's (``pwned*``, or a small
    ``tmp*`` file as ``tempfile`` makes). Other processes on the machine may create unrelated
    entries meanwhile, so only these count."""
    found = []
    for name in _tmp_entries() - before:
        path = Path("/tmp") / name
        if name.startswith("pwned"):
            found.append(name)
        elif name.startswith("tmp"):
            try:
                if path.is_file() and path.stat().st_size <= 1:
                    found.append(name)
            except OSError:
                pass
    return found


# --------------------------------------------------------------------------- benign corpus

@pytest.mark.figure("benign modules accepted by the sandbox (each under 3 layer sets)")
@pytest.mark.parametrize("layers", [None, PYTHON_ONLY, HOOK_ONLY],
                         ids=["all-layers", "python-only", "hook-only"])
@pytest.mark.parametrize("path", BENIGN, ids=[p.stem for p in BENIGN])
def test_benign_module_imports_and_passes_its_examples(path: Path, layers) -> None:
    names, examples = BENIGN_EXAMPLES[path.stem]
    report = run_sandbox(f"wishful.{path.stem[3:]}", path.read_text(), names=names,
                         examples=examples, layers=layers)
    assert report.passed, _messages(report)
    assert report.failures == () and report.warnings == ()
    assert report.examples_run == report.examples_passed == len(examples)


def test_benign_corpus_has_examples_for_every_module() -> None:
    assert {p.stem for p in BENIGN} == set(BENIGN_EXAMPLES)


# --------------------------------------------------------------------------- attack corpus

def _run_attack(path: Path, layers, box: Path, port: int) -> SandboxReport:
    code = _retarget(path.read_text(), port)
    return run_sandbox("wishful.attack", code, names=["answer"], layers=layers, cwd=box,
                       limits=Limits(wall_seconds=10))


def _attack_without_effect(path: Path, layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           listener) -> SandboxReport:
    """Run one attack module and check the host: no file in the sandbox directory, the working
    directory or /tmp, no new file in /tmp, no connection to the listener, a real verdict."""
    sock, port = listener
    box = tmp_path / "box"
    here = tmp_path / "here"
    box.mkdir()
    here.mkdir()
    monkeypatch.chdir(here)
    before = _tmp_entries()
    report = _run_attack(path, layers, box, port)
    assert not list(box.iterdir()), f"files appeared in the sandbox dir: {list(box.iterdir())}"
    assert not list(here.glob("pwned*"))
    assert not list(Path("/tmp").glob("pwned*"))
    assert _new_tmp_files(before) == [], "new files in /tmp"
    _no_connection(sock)
    assert all(f.kind != "harness" for f in report.failures), _messages(report)
    return report


@pytest.mark.figure("attack runs without effect on the host, static check off")
@pytest.mark.parametrize("layers", [None, PYTHON_ONLY, HOOK_ONLY],
                         ids=["all-layers", "python-only", "hook-only"])
@pytest.mark.parametrize("path", ATTACKS, ids=[p.stem for p in ATTACKS])
def test_attack_has_no_effect_on_the_host(path: Path, layers, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, listener) -> None:
    report = _attack_without_effect(path, layers, tmp_path, monkeypatch, listener)
    if path.stem in INTROSPECTION_ONLY:
        return  # pure introspection: may pass here; the static checker rejects it
    if layers == HOOK_ONLY and path.stem in IMPORT_ONLY:
        return
    assert not report.passed, f"{path.stem} passed the sandbox"
    assert report.failures[0].kind in ("blocked-effect", "import"), _messages(report)


@pytest.mark.figure("attack runs without effect on the host, static check off")
@pytest.mark.parametrize("layers", [None, PYTHON_ONLY], ids=["all-layers", "python-only"])
@pytest.mark.parametrize("path", OWN_ATTACKS, ids=[p.stem for p in OWN_ATTACKS])
def test_own_attack_has_no_effect_on_the_host(path: Path, layers, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, listener) -> None:
    """Some of these are static-only tricks that run harmlessly; none may touch the host."""
    _attack_without_effect(path, layers, tmp_path, monkeypatch, listener)


def test_the_corpora_are_present() -> None:
    assert len(BENIGN) == 12 and len(ATTACKS) == 44 and len(RESOURCE) == 3
    assert len(ATTACKS) + len(OWN_ATTACKS) >= 60 and OWN_RESOURCE


@pytest.mark.figure("attacks contained by the kernel layers alone")
@pytest.mark.parametrize("path", ATTACKS, ids=[p.stem for p in ATTACKS])
def test_kernel_layers_alone_contain_every_attack(path: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, listener,
                                                  layers_here) -> None:
    """No audit hook, no import guard: Landlock and the namespaces must still stop effects
    (the code itself may "pass": ``os.system`` just fails to execute the shell)."""
    if not (layers_here["landlock"] and layers_here["netns"]):
        pytest.skip("Landlock or network namespaces are not available here")
    sock, port = listener
    box = tmp_path / "box"
    box.mkdir()
    monkeypatch.chdir(tmp_path)
    before = _tmp_entries()
    report = _run_attack(path, KERNEL_ONLY, box, port)
    assert "audit-hook" not in report.layers and "guarded-import" not in report.layers
    assert {"landlock", "netns"} <= set(report.layers)
    assert not list(box.iterdir())
    assert not list(tmp_path.glob("pwned*"))
    assert not list(Path("/tmp").glob("pwned*"))
    assert _new_tmp_files(before) == []
    _no_connection(sock)


@pytest.mark.parametrize("layers", [None, PYTHON_ONLY, KERNEL_ONLY],
                         ids=["all-layers", "python-only", "kernel-only"])
def test_execv_through_a_reexport_does_not_replace_the_process(layers, tmp_path: Path,
                                                               layers_here) -> None:
    if layers == KERNEL_ONLY and not layers_here["landlock"]:
        pytest.skip("Landlock is not available here")
    code = (CORPUS / "attacks" / "025_contextlib_reexport_os.py").read_text()
    report = run_sandbox("wishful.attack", code, names=["answer"], layers=layers)
    assert not report.passed
    first = report.failures[0]
    # A verdict arrived, so the harness was still running: the process was not replaced.
    assert first.kind == "blocked-effect", _messages(report)
    assert first.line == 7
    if layers != KERNEL_ONLY:
        assert "os.exec is not allowed" in first.message


def test_blocked_effects_name_the_effect_and_line() -> None:
    def failure(stem: str):
        path = next(p for p in ATTACKS if p.stem == stem)
        return run_sandbox("wishful.attack", path.read_text(), layers=PYTHON_ONLY).failures[0]

    system = failure("022_uuid_reexport_os")
    assert system.kind == "blocked-effect" and system.line == 7
    assert "os.system is not allowed" in system.message and "processes" in system.message
    assert system.hint
    write = failure("008_open_alias")
    assert "'pwned.txt' for writing is not allowed" in write.message and write.line == 7
    secret = failure("033_read_secret_file")
    assert "reading '/etc/hostname'" in secret.message and secret.line == 6
    imported = failure("001_os_system")
    assert imported.kind == "blocked-effect" and "import of 'os' is not allowed" in imported.message
    assert imported.line == 6


#: Host effects through functions CPython does not audit (reached through re-exports).
UNAUDITED_PROBES = {
    "mknod": ("import typing\ntyping.sys.modules['posix'].mknod('/tmp/pwned_mknod', 0o100600)\n",
              "os.mknod is not allowed"),
    "mkfifo": ("import uuid\nuuid.os.mkfifo('pwned_fifo')\n", "os.mkfifo is not allowed"),
    "setpriority": ("import typing\ntyping.sys.modules['posix'].setpriority(0, 1, 19)\n",
                    "os.setpriority is not allowed"),
    "pidfd": ("import typing\nFD = typing.sys.modules['posix'].pidfd_open(1)\n",
              "os.pidfd_open is not allowed"),
    # A signal handler receives the current frame: a way to the harness's locals.
    "signal-handler": ("import typing\ntyping.sys.modules['_signal'].signal(14, print)\n",
                       "signal.signal is not allowed"),
}


@pytest.mark.parametrize("layers", [None, PYTHON_ONLY, HOOK_ONLY],
                         ids=["all-layers", "python-only", "hook-only"])
@pytest.mark.parametrize("probe", sorted(UNAUDITED_PROBES))
def test_unaudited_host_functions_are_blocked(probe: str, layers, tmp_path: Path) -> None:
    code, message = UNAUDITED_PROBES[probe]
    report = run_sandbox("wishful.probe", code, layers=layers, cwd=tmp_path)
    assert not report.passed
    assert report.failures[0].kind == "blocked-effect" and message in report.failures[0].message
    assert report.failures[0].line in (2, 3)
    assert not list(tmp_path.iterdir()) and not Path("/tmp/pwned_mknod").exists()


MACHINERY_PROBES = {
    # Extension modules loaded by calling the import machinery directly (no __import__):
    # _posixsubprocess.fork_exec starts processes and raises no audit event of its own.
    "gcd-import": (
        ("import typing\n_m = typing.sys.modules\n"
         "PS = _m['_frozen_importlib']._gcd_import('_posixsubprocess')\n"),
        "import of '_posixsubprocess' is not allowed"),
    "create-dynamic": (
        ("import typing\n_m = typing.sys.modules\n"
         "SPEC = _m['_frozen_importlib'].ModuleSpec('_posixsubprocess', None, origin=ORIGIN)\n"
         "PS = _m['_imp'].create_dynamic(SPEC)\n"),
        "import of '_posixsubprocess' is not allowed"),
    # A fresh copy of a built-in module would bring back the functions the hook stubbed.
    "create-builtin": (
        ("import typing\n_m = typing.sys.modules\n"
         "SPEC = _m['_frozen_importlib'].ModuleSpec('_signal', None, origin='built-in')\n"
         "SIG = _m['_imp'].create_builtin(SPEC)\n"),
        "_imp.create_builtin is not allowed"),
}


@pytest.mark.parametrize("layers", [None, PYTHON_ONLY, HOOK_ONLY],
                         ids=["all-layers", "python-only", "hook-only"])
@pytest.mark.parametrize("probe", sorted(MACHINERY_PROBES))
def test_import_machinery_cannot_load_blocked_modules(probe: str, layers) -> None:
    import _posixsubprocess

    code, message = MACHINERY_PROBES[probe]
    code = code.replace("ORIGIN", repr(_posixsubprocess.__file__))
    report = run_sandbox("wishful.probe", code, layers=layers)
    assert not report.passed
    first = report.failures[0]
    assert first.kind == "blocked-effect" and message in first.message, _messages(report)
    assert first.line in (3, 4)


@pytest.mark.parametrize("layers", [PYTHON_ONLY, HOOK_ONLY], ids=["python-only", "hook-only"])
def test_finalizers_running_inside_the_audit_hook_are_still_checked(layers, tmp_path: Path) -> None:
    """The garbage collector can run a finalizer of generated code while the hook is working;
    its effects must be checked like any other (the hook only lets its own frame reads pass)."""
    code = textwrap.dedent("""
        import uuid
        _system = uuid.os.system

        class Cycle:
            def __del__(self):
                try:
                    _system("touch pwned_gc")
                except Exception:
                    pass

        def gen():
            yield 1

        for _ in range(5000):
            c = Cycle()
            c.me = c
            del c
            try:
                gen().gi_frame
            except Exception:
                pass
        """)
    report = run_sandbox("wishful.gc", code, layers=layers, cwd=tmp_path)
    assert not report.passed
    assert not list(tmp_path.iterdir())
    assert any("os.system is not allowed" in f.message for f in report.failures), _messages(report)


# --------------------------------------------------------------------------- resource limits

SMALL = Limits(cpu_seconds=1, wall_seconds=3, memory_mb=256)


@pytest.mark.figure("resource bombs stopped by a limit")
@pytest.mark.parametrize("layers", [None, PYTHON_ONLY], ids=["all-layers", "python-only"])
@pytest.mark.parametrize("path", RESOURCE, ids=[p.stem for p in RESOURCE])
def test_resource_bomb_is_stopped_within_its_budget(path: Path, layers) -> None:
    report = run_sandbox("wishful.bomb", path.read_text(), names=["answer"], limits=SMALL,
                         layers=layers)
    assert not report.passed
    assert report.elapsed < SMALL.wall_seconds + 1.5
    first = report.failures[0]
    if "cpu" in path.stem:
        assert first.kind == "resource" and "CPU time limit of 1 s" in first.message
    elif "memory" in path.stem:
        assert first.kind == "resource" and "memory limit of 256 MB" in first.message
        assert first.line == 6
    else:
        assert first.kind == "timeout" and "wall-clock limit of 3 s" in first.message
        assert "importing the module" in first.message


@pytest.mark.figure("resource bombs stopped by a limit")
@pytest.mark.parametrize("path", OWN_RESOURCE, ids=[p.stem for p in OWN_RESOURCE])
def test_own_resource_bomb_is_stopped_by_a_limit(path: Path) -> None:
    report = run_sandbox("wishful.bomb", path.read_text(), names=["answer"], limits=SMALL)
    assert not report.passed
    assert report.elapsed < SMALL.wall_seconds + 1.5
    first = report.failures[0]
    assert first.kind in ("resource", "timeout"), _messages(report)
    assert "limit of" in first.message


def test_cpu_limit_is_enforced_even_when_the_code_swallows_it() -> None:
    code = textwrap.dedent("""
        def spin():
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass
        """)
    # The hard limit (soft + 1 s of CPU) kills it; the wall limit leaves room for a busy machine.
    limits = Limits(cpu_seconds=1, wall_seconds=8, memory_mb=256)
    report = run_sandbox("wishful.spin", code, examples=[ExampleCase("spin()", "None")],
                         limits=limits)
    assert [f.kind for f in report.failures] == ["resource"], _messages(report)
    assert "CPU time limit of 1 s" in report.failures[0].message
    assert report.failures[0].call == "spin()"
    assert report.elapsed < limits.wall_seconds


def test_cpu_limit_in_an_example_names_the_call_and_line() -> None:
    code = "def f(n):\n    while True:\n        n += 1\n"
    report = run_sandbox("wishful.spin", code, examples=[ExampleCase("f(0)", "1")], limits=SMALL)
    first = report.failures[0]
    assert first.kind == "resource" and first.call == "f(0)" and first.line in (2, 3)


def test_recursion_is_a_resource_failure() -> None:
    report = run_sandbox("wishful.rec", "def f(n):\n    return f(n + 1)\n",
                         examples=[ExampleCase("f(0)", "0")])
    first = report.failures[0]
    assert first.kind == "resource" and "recursion" in first.message and first.line == 2


def test_sleep_in_an_example_is_a_timeout_naming_the_call() -> None:
    code = "import time\n\ndef wait():\n    time.sleep(60)\n"
    report = run_sandbox("wishful.wait", code, examples=[ExampleCase("wait()", "None")],
                         limits=Limits(wall_seconds=1.5))
    assert [f.kind for f in report.failures] == ["timeout"]
    assert "wall-clock limit of 1.5 s" in report.failures[0].message
    assert "`wait()`" in report.failures[0].message
    assert report.elapsed < 1.5 + 1.5


# --------------------------------------------------------------------------- examples and tests

TEXT = textwrap.dedent('''
    """Text helpers."""
    import re


    def slugify(title: str) -> str:
        """Lower-case words joined by dashes.

        >>> slugify("Hello World")
        'hello-world'
        >>> slugify("A  B")
        'a--b'
        """
        if not isinstance(title, str):
            raise TypeError("title must be a string")
        return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


    def ratio(a, b):
        return a / b
    ''')


def test_passing_failing_and_raising_examples() -> None:
    report = run_sandbox("wishful.text", TEXT, names=["slugify"], doctests=False, examples=[
        ExampleCase("slugify('Hello World')", "'hello-world'"),
        ExampleCase("slugify('Hello World')", "'Hello-World'"),
        ExampleCase("slugify(3)", raises="TypeError"),
        ExampleCase("slugify('x')", raises="ValueError"),
        ExampleCase("ratio(1, 3)", "0.3333333333333333"),
        ExampleCase("ratio(1, 0)", "0"),
    ])
    assert not report.passed
    assert report.examples_run == 6 and report.examples_passed == 3
    wrong, no_raise, raised = report.failures
    assert (wrong.kind, wrong.call, wrong.expected, wrong.got) == (
        "example-failed", "slugify('Hello World')", "'Hello-World'", "'hello-world'")
    assert "returned 'hello-world', expected 'Hello-World'" in wrong.message
    assert no_raise.expected == "ValueError"
    assert "expected it to raise ValueError" in no_raise.message
    assert raised.call == "ratio(1, 0)" and raised.line == 20
    assert raised.got == "ZeroDivisionError: division by zero"


def test_float_results_compare_with_tolerance_and_by_repr() -> None:
    code = textwrap.dedent("""
        def third():
            return 0.1 + 0.2

        def obj():
            return Thing()

        class Thing:
            def __repr__(self):
                return '<thing>'
        """)
    report = run_sandbox("wishful.num", code, examples=[
        ExampleCase("third()", "0.3"),
        ExampleCase("obj()", "<thing>"),
    ])
    assert report.passed, _messages(report)


def test_user_examples_are_hard_and_doctest_examples_soft() -> None:
    report = run_sandbox("wishful.text", TEXT, names=["slugify"], doctests=False, examples=[
        ExampleCase("slugify('x')", "'y'", source="doctest"),
    ])
    assert report.passed and len(report.warnings) == 1
    report = run_sandbox("wishful.text", TEXT, names=["slugify"], doctests=False, examples=[
        ExampleCase("slugify('x')", "'y'", source="user"),
    ])
    assert not report.passed and report.failures[0].kind == "example-failed"


def test_docstring_mismatch_is_only_a_warning() -> None:
    report = run_sandbox("wishful.text", TEXT, names=["slugify"])
    assert report.passed, _messages(report)
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert warning.kind == "example-failed" and "doctest" in warning.message
    assert warning.call == 'slugify("A  B")'
    assert (warning.expected, warning.got) == ("'a--b'", "'a-b'")
    assert run_sandbox("wishful.text", TEXT, names=["slugify"], doctests=False).warnings == ()


def test_doctests_with_output_and_exceptions() -> None:
    code = textwrap.dedent('''
        def double(x):
            """Twice ``x``.

            >>> double(2)
            4
            >>> print(double(1))
            2
            >>> double("a")
            Traceback (most recent call last):
              ...
            TypeError: numbers only
            >>> [double(i) for i in range(12)]  # doctest: +ELLIPSIS
            [0, 2, ..., 22]
            """
            if not isinstance(x, int):
                raise TypeError("numbers only")
            return 2 * x
        ''')
    report = run_sandbox("wishful.d", code, names=["double"])
    assert report.passed and report.warnings == (), _messages(report)


def test_missing_or_uncallable_requested_name() -> None:
    report = run_sandbox("wishful.text", TEXT + "\nLIMIT = 3\n", names=["slugify", "nope", "LIMIT"])
    assert not report.passed
    kinds = [(f.kind, f.message) for f in report.failures]
    assert kinds[0][0] == "import" and "does not define 'nope'" in kinds[0][1]
    assert kinds[1][0] == "import" and "'LIMIT' is a int" in kinds[1][1]


def test_syntax_and_import_errors() -> None:
    syntax = run_sandbox("wishful.bad", "def f(:\n    pass\n")
    assert syntax.failures[0].kind == "syntax" and syntax.failures[0].line == 1
    broken = run_sandbox("wishful.bad", "X = 1\n\ndef f():\n    return {}['k']\n\nY = f()\n")
    first = broken.failures[0]
    assert first.kind == "import" and first.line == 4 and "KeyError" in first.message


def test_trusted_tests_with_bindings() -> None:
    code = textwrap.dedent("""
        def has_close_elements(numbers, threshold):
            return any(abs(a - b) < threshold
                       for i, a in enumerate(numbers) for j, b in enumerate(numbers) if i != j)
        """)
    check = ("def check(candidate):\n    assert candidate([1.0, 2.0], 0.5) is False\n"
             "    assert candidate([1.0, 1.1], 0.5) is True\n")
    wrong = "def check(candidate):\n    assert candidate([1.0, 2.0], 5) is False\n"
    bind = {"candidate": "has_close_elements"}
    report = run_sandbox("wishful.he", code, tests=[
        TestCase("ok", check, "check(candidate)", bind),
        TestCase("bad", wrong, "check(candidate)", bind),
    ])
    assert report.tests_run == 2 and not report.passed
    assert len(report.failures) == 1
    assert "test 'bad' failed at test line 2: AssertionError" in report.failures[0].message


def test_candidate_output_is_captured_and_capped() -> None:
    report = run_sandbox("wishful.out", "print('hello from the module')\n")
    assert report.passed and "hello from the module" in report.stdout
    big = run_sandbox("wishful.out", "print('x' * 5_000_000)\n", limits=Limits(output_bytes=1000))
    assert big.passed and len(big.stdout) == 1000


def test_reports_serialise_to_json() -> None:
    report = run_sandbox("wishful.text", TEXT, names=["slugify", "nope"],
                         examples=[ExampleCase("slugify('A')", "'b'")])
    data = json.loads(json.dumps(report.to_json()))
    assert data["passed"] is False and data["failures"][0]["kind"] == "import"
    assert set(data["failures"][1]) == {
        "kind", "message", "line", "call", "expected", "got", "hint"}


# --------------------------------------------------------------------------- the import guard

#: A fixed policy, so these tests do not follow edits to the default list.
GUARD_POLICY = Policy(allowed_modules=frozenset({
    "collections", "collections.abc", "datetime", "json", "typing", "urllib", "urllib.parse"}))


@pytest.mark.parametrize("layers", [None, PYTHON_ONLY], ids=["all-layers", "python-only"])
def test_import_guard_follows_the_policy(layers) -> None:
    allowed = run_sandbox("wishful.imp", "from collections import abc\nimport urllib.parse\n"
                          "import collections.abc\nfrom datetime import datetime\nimport json\n"
                          "X = json.dumps([1])\n", layers=layers, policy=GUARD_POLICY)
    assert allowed.passed, _messages(allowed)
    for code, module in [("import os.path\n", "os.path"),
                         ("from json import decoder\n", "json.decoder"),
                         ("from typing import sys\n", "sys"), ("from . import x\n", ".x")]:
        report = run_sandbox("wishful.imp", code, layers=layers, policy=GUARD_POLICY)
        assert not report.passed, code
        assert report.failures[0].kind == "blocked-effect", _messages(report)
        assert f"import of {module!r} is not allowed" in report.failures[0].message
    # Calling the import machinery directly skips ``__import__`` and the "import" event; loading
    # the module's code (marshal.loads / compile / exec from generated code) is still refused.
    bypass = run_sandbox("wishful.imp", "import typing\nX = typing.sys.modules"
                         "['_frozen_importlib']._gcd_import('socket')\n", layers=layers,
                         policy=GUARD_POLICY)
    assert not bypass.passed and bypass.failures[0].kind == "blocked-effect", _messages(bypass)


def test_policy_extension_allows_more_modules() -> None:
    code = "import shlex\nX = shlex.quote('a b')\n"
    assert not run_sandbox("wishful.imp", code).passed
    assert run_sandbox("wishful.imp", code, policy=Policy.build(allow=["shlex"])).passed


def test_caught_denial_still_fails() -> None:
    code = "try:\n    import os\nexcept ImportError:\n    os = None\n"
    report = run_sandbox("wishful.imp", code)
    assert not report.passed and report.failures[0].kind == "blocked-effect"


# --------------------------------------------------------------------------- forgery

def test_printed_verdicts_and_fd_opens_do_not_pass() -> None:
    code = textwrap.dedent("""
        FAKE = '{"layers": [], "failures": [], "warnings": [], "examples_run": 1}'
        print('0' * 32 + ' V ' + FAKE)
        print('V ' + FAKE)
        for fd in range(3, 21):
            try:
                open(fd, 'w').write('0' * 32 + ' V ' + FAKE + '\\n')
            except Exception:
                pass
        """)
    report = run_sandbox("wishful.forge", code)
    assert not report.passed
    assert report.failures[0].kind == "blocked-effect"
    assert "for writing is not allowed" in report.failures[0].message
    assert "V {" in report.stdout  # the printed "verdict" is just output


@pytest.mark.parametrize("then_exit", [False, True], ids=["keep-running", "exit-at-once"])
def test_raw_writes_to_every_descriptor_are_detected(then_exit: bool) -> None:
    # os.write raises no audit event: the channel's tag is what stops this forgery.
    code = textwrap.dedent(f"""
        import typing
        posix = typing.sys.modules['posix']
        FAKE = b'{{"layers": [], "failures": [], "warnings": [], "examples_run": 0}}'
        for fd in range(3, 1024):
            try:
                posix.write(fd, b'0' * 32 + b' V ' + FAKE + b'\\n')
            except OSError:
                pass
        if {then_exit}:
            posix._exit(0)
        """)
    report = run_sandbox("wishful.forge", code)
    assert not report.passed
    assert any(f.kind == "harness" and "tampered" in f.message for f in report.failures), \
        _messages(report)


def test_harness_namespace_and_frames_are_out_of_reach() -> None:
    code = textwrap.dedent("""
        GUARD_GLOBALS = sorted(__builtins__['__import__'].__globals__)
        MAIN = sorted(k for k in __import__('typing').sys.modules['__main__'].__dict__
                      if not k.startswith('__'))
        """)
    report = run_sandbox("wishful.peek", code, examples=[
        ExampleCase("GUARD_GLOBALS", "['__builtins__']"),
        ExampleCase("MAIN", "[]"),
    ])
    assert report.passed, _messages(report)
    deputy = run_sandbox("wishful.peek", "import dataclasses, typing\n"
                         "F = typing.sys.modules['inspect'].currentframe()\n")
    assert not deputy.passed
    assert "sys._getframe (through inspect.py) is not allowed" in deputy.failures[0].message
    traceback_frame = run_sandbox("wishful.peek", "try:\n    1 / 0\nexcept Exception as e:\n"
                                  "    F = e.__traceback__.tb_frame\n")
    assert "'tb_frame'" in traceback_frame.failures[0].message


# --------------------------------------------------------------------------- the child process

def test_child_environment_descriptors_and_modules(layers_here) -> None:
    code = textwrap.dedent("""
        import typing
        _posix = typing.sys.modules['posix']
        ENV = sorted(_posix.environ)
        def _open(fd):
            try:
                _posix.fstat(fd)
                return True
            except OSError:
                return False
        EXTRA_FDS = [fd for fd in range(3, 1024) if _open(fd)]
        CTYPES = sorted(m for m in typing.sys.modules if 'ctypes' in m)
        """)
    report = run_sandbox("wishful.env", code, examples=[
        ExampleCase("ENV", "[b'LC_ALL', b'TZ']"),
        ExampleCase("len(EXTRA_FDS)", "1"),  # the verdict pipe, nothing of the parent's
        ExampleCase("CTYPES", "[]"),
    ])
    assert report.passed, _messages(report)


def test_landlock_makes_other_files_unreadable_even_for_c_code(layers_here) -> None:
    if not layers_here["landlock"]:
        pytest.skip("Landlock is not available here")
    code = "import typing\n_p = typing.sys.modules['posix']\nFD = _p.open('/etc/hostname', 0)\n"
    report = run_sandbox("wishful.read", code, layers=["landlock"])
    first = report.failures[0]
    assert first.kind == "blocked-effect" and "Permission denied" in first.message
    zone = run_sandbox("wishful.read", "import time\nX = time.strftime('%Z', time.localtime(0))\n",
                       examples=[ExampleCase("X", "'UTC'")])
    assert zone.passed, _messages(zone)


def test_network_namespace_has_no_route(layers_here, listener) -> None:
    if not layers_here["netns"]:
        pytest.skip("network namespaces are not available here")
    sock, port = listener
    code = textwrap.dedent(f"""
        import _socket
        s = _socket.socket(2, 1)
        s.settimeout(1)
        s.connect(('127.0.0.1', {port}))
        """)
    report = run_sandbox("wishful.net", code, layers=["netns"])  # no hook, no import guard
    assert not report.passed
    _no_connection(sock)
    first = report.failures[0]
    assert first.kind == "blocked-effect" and "Network is unreachable" in first.message


# --------------------------------------------------------------------------- layers and API

def test_layers_reported(layers_here) -> None:
    assert set(layers_here) == set(ALL_LAYERS)
    full = run_sandbox("wishful.l", "X = 1\n")
    assert {"process", "rlimits", "audit-hook", "guarded-import"} <= set(full.layers)
    for layer in ("landlock", "netns"):
        assert (layer in full.layers) == layers_here[layer]
        assert (layer in full.unavailable) == (not layers_here[layer])
    python_only = run_sandbox("wishful.l", "X = 1\n", layers=PYTHON_ONLY)
    assert python_only.passed
    kernel = {"landlock", "landlock-net", "no-new-privs", "netns", "userns"}
    assert not kernel & set(python_only.layers)
    assert python_only.unavailable == ()
    bare = run_sandbox("wishful.l", "X = 1\n", layers=[])
    assert set(bare.layers) == {"process", "rlimits"}
    with pytest.raises(ValueError):
        run_sandbox("wishful.l", "X = 1\n", layers=["seccomp"])


def test_run_many_keeps_order() -> None:
    jobs = [{"module": f"wishful.m{i}", "code": f"def f():\n    return {i}\n",
             "examples": [ExampleCase("f()", str(i))]} for i in range(6)]
    jobs[3]["examples"] = [ExampleCase("f()", "99")]
    reports = run_many(jobs, workers=3)
    assert [r.passed for r in reports] == [True, True, True, False, True, True]
    assert reports[3].failures[0].got == "3"


def test_sandbox_directory_is_removed_and_cwd_is_kept(tmp_path: Path) -> None:
    before = {p for p in os.listdir("/tmp") if p.startswith("wishful-sandbox-")}
    assert run_sandbox("wishful.x", "X = 1\n").passed
    after = {p for p in os.listdir("/tmp") if p.startswith("wishful-sandbox-")}
    assert after <= before
    assert run_sandbox("wishful.x", "X = 1\n", cwd=tmp_path).passed
    assert tmp_path.is_dir()
