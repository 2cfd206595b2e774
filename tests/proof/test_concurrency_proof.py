"""Proof: many processes generating, merging, hand-editing and reading the same modules at once.

Eight worker processes (real interpreters) share one project and its cache. Each runs a seeded
random mix of rounds on the same wish modules:

- ``generate``: what ``wishful generate app`` (or ``wishful generate`` on the whole project) does,
  in process (scan, check, generate what is not accepted) through the real engine, real litellm
  and real HTTP to the fake model server;
- ``merge``: a new user file wishes a new, unique name from a shared module, then that module is
  generated (the new name is merged into the existing module);
- ``import``: a user file importing a lazily wished module runs, in the worker or in a new
  interpreter; when the module is missing the import goes through the runtime hook and generates
  it (several workers race for each one);
- ``edit``: a hand edit of a shared module, saved the way a careful editor saves (new file in the
  same directory, then rename: a reader never sees half a file) while holding the module's file
  lock, appending a unique marker: a comment line or a small function. Generations still run
  while an edit is saved (they hold the file lock only to compare and replace), so edits land
  between a generation's read of the module and its write;
- ``read``: the module file must parse as complete Python, its metadata as JSON, and
  ``Cache.status`` must say ok (verified) or hand-edited; the module is also imported afresh.

The fake server counts the model requests: each first request names its module and the names to
implement, so no ``(module, name)`` may be asked twice and every name wished must be asked once.
At the end every hand-edit marker must still be in its module, every wished name defined, every
module consistent with its metadata (or reported hand-edited), and no temporary file left.

The tests after it take each race alone, deterministically: an editor that takes no lock saving
while the model answers, an edit during a regeneration, a scan that sees fewer wishes than the
module was generated for, and a reader catching a write between its code and its metadata.

``WISHFUL_PROOF_SEED`` replays a run's sequence of rounds (the interleaving differs): it is printed
in the summary line, with the directory of the workers' logs (one JSON line per round).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from support.fake_openai import FakeOpenAI, delay
from support.figures import Figures, scaled
from support.models import cli_project, model_env, run_wishful
from support.proc import clean_env
from wishful.cache import Cache, State

WORKERS = 8
ROUNDS = scaled(50, 200)
SHARED = ("wishful.alpha", "wishful.beta", "wishful.gamma")
LAZY = max(4, ROUNDS // 5)
WORKER_TIMEOUT = float(scaled(900, 3600))

WORKER = textwrap.dedent(
    '''
    import ast
    import importlib
    import json
    import os
    import random
    import runpy
    import subprocess
    import sys
    import time
    import traceback
    from pathlib import Path

    project = Path(sys.argv[1])
    worker = int(sys.argv[2])
    rounds = int(sys.argv[3])
    seed = int(sys.argv[4])
    log_path = Path(sys.argv[5])
    ready = Path(sys.argv[6])
    go = ready.parent / "go"
    shared = json.loads(sys.argv[7])
    lazy = int(sys.argv[8])

    from wishful.cache import Cache, State
    from wishful_lsp.engine.pipeline import ACCEPTED, GenerationError, check, generate, run_sync
    from wishful_lsp.engine.project import scan
    from wishful_lsp.engine.settings import apply_provider_environment, load_settings
    import litellm  # noqa: F401 - imported before the start signal, as the first generation would

    settings = load_settings(project)
    cache = Cache.resolve(project)
    apply_provider_environment(project)
    rng = random.Random(seed)
    app = project / "app"
    log = open(log_path, "a", encoding="utf-8")
    failures = 0


    def record(entry):
        entry.update(w=worker, t=round(time.time(), 4))
        log.write(json.dumps(entry) + "\\n")
        log.flush()


    remerged = 0


    def on_event(message):
        global remerged
        if "was edited meanwhile" in message:
            remerged += 1


    def generate_modules(only=None, paths=None):
        """``wishful generate PATHS`` (or one module of it), retrying a conflict like a user would."""
        done = {}
        for attempt in range(5):
            workspace = scan(paths or [app], root=settings.project_root, radius=settings.context_radius,
                             skip=[cache.root])
            try:
                for module in workspace.modules():
                    if only is not None and module != only:
                        continue
                    request = workspace.request(module)
                    if check(cache, request, settings).state in ACCEPTED:
                        done.setdefault(module, "accepted")
                        continue
                    result = run_sync(generate(cache, request, settings, on_event=on_event))
                    done[module] = result.action + ":" + ",".join(result.added + result.replaced)
                return done, attempt
            except GenerationError as exc:
                if exc.kind != "conflict":
                    raise
                done["conflict-" + str(attempt)] = str(exc)
        raise RuntimeError("five conflicts in a row: " + json.dumps(done))


    def op_generate(tag):
        everything = rng.random() < 0.3
        done, retries = generate_modules(paths=[project] if everything else [app])
        return {"result": "ok", "scope": "project" if everything else "app", "modules": done,
                "conflicts": retries}


    def op_merge(tag):
        module = rng.choice(shared)
        name = module.split(".")[-1] + "_" + tag
        (app / ("m_" + tag + ".py")).write_text(
            "# desired: " + name + " echoes its text with a prefix\\n"
            "from " + module + " import " + name + "\\n\\n"
            "print(" + name + "('x'))\\n", encoding="utf-8")
        done, retries = generate_modules(only=module)
        status = cache.status(module)
        result = "ok" if name in status.defined else "lost-name"
        return {"result": result, "module": module, "name": name, "modules": done,
                "conflicts": retries}


    def op_import(tag):
        k = rng.randrange(lazy)
        module = "wishful.lazy" + str(k)
        name = "lazy" + str(k)
        path = project / "lazy" / ("lz" + str(k) + "_" + tag + ".py")
        path.write_text(
            "# desired: " + name + " echoes its text with a prefix\\n"
            "from " + module + " import " + name + "\\n\\n"
            "RESULT = " + name + "('x')\\n"
            "if __name__ == '__main__':\\n"
            "    print(RESULT)\\n", encoding="utf-8")
        existed = cache.path_for(module).exists()
        fresh = rng.random() < 0.15
        if fresh:  # a new interpreter: the hook imports the engine (and litellm) during the import
            run = subprocess.run([sys.executable, str(path)], cwd=project, capture_output=True,
                                 text=True, timeout=600)
            if run.returncode != 0:
                raise RuntimeError("fresh import failed:\\n" + run.stderr)
            got = run.stdout.strip()
        else:
            sys.modules.pop(module, None)
            got = runpy.run_path(str(path))["RESULT"]
        result = "ok" if got == name + ":x" else "wrong:" + repr(got)
        return {"result": result, "module": module, "name": name, "miss": not existed,
                "process": "fresh" if fresh else "worker"}


    def op_edit(tag):
        module = rng.choice(shared)
        path = cache.path_for(module)
        function = rng.random() < 0.5
        marker = ("def hand_" + tag + "() -> int:") if function else ("# hand-edit " + tag)
        with cache.file_lock(module):
            try:
                old = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return {"result": "absent", "module": module}
            ast.parse(old)
            if function:
                addition = ("\\n\\n" + marker + "\\n"
                            "    \\"\\"\\"Added by hand.\\"\\"\\"\\n"
                            "    return " + str(worker) + "\\n")
            else:
                addition = "\\n" + marker + "\\n"
            temporary = path.with_name("." + path.name + "." + tag + ".edit.tmp")
            temporary.write_text(old.rstrip("\\n") + "\\n" + addition, encoding="utf-8")
            os.replace(temporary, path)
        return {"result": "ok", "module": module, "marker": marker}


    def op_read(tag):
        module = rng.choice(shared)
        path = cache.path_for(module)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {"result": "absent", "module": module}
        try:
            ast.parse(data)
        except SyntaxError as exc:
            return {"result": "partial", "module": module, "detail": str(exc), "size": len(data)}
        try:
            json.loads(cache.metadata_path(module).read_bytes())
        except FileNotFoundError:
            pass
        except ValueError as exc:
            return {"result": "partial-metadata", "module": module, "detail": str(exc)}
        status = cache.status(module)
        if status.state is State.HAND_EDITED:
            state = "hand-edited"
        elif status.state is State.OK and status.verified:
            state = "ok"
        else:
            return {"result": "inconsistent", "module": module, "state": status.state.value,
                    "detail": status.detail, "verified": status.verified}
        sys.modules.pop(module, None)
        imported = importlib.import_module(module)
        base = module.split(".")[-1] + "_base"
        if getattr(imported, base)("x") != base + ":x":
            return {"result": "wrong-import", "module": module}
        return {"result": state, "module": module}


    OPS = {"generate": op_generate, "merge": op_merge, "import": op_import, "edit": op_edit,
           "read": op_read}
    WEIGHTS = {"generate": 20, "merge": 20, "import": 15, "edit": 20, "read": 25}

    ready.write_text("")
    deadline = time.monotonic() + 300
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    for round_ in range(rounds):
        op = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        tag = "w" + str(worker) + "_r" + str(round_)
        started = time.monotonic()
        remerged = 0
        try:
            entry = OPS[op](tag)
        except Exception:
            failures += 1
            entry = {"result": "error", "error": traceback.format_exc()}
            print(traceback.format_exc(), file=sys.stderr, flush=True)
        entry.update(op=op, r=round_, elapsed=round(time.monotonic() - started, 4), remerged=remerged)
        record(entry)
    log.close()
    sys.exit(1 if failures else 0)
    '''
)

USER_FILE = ("# desired: {name} echoes its text with a prefix\n"
             "from {module} import {name}\n\nprint({name}('x'))\n")

MODULE_LINE = re.compile(r"^Module: (\S+)$", re.MULTILINE)
NAMES_LINE = re.compile(r"^Names to implement: (.*)$", re.MULTILINE)


def _project(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "lazy").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "proof"\nversion = "0"\n')
    for module in SHARED:
        name = module.split(".")[-1] + "_base"
        (root / "app" / f"use_{name}.py").write_text(USER_FILE.format(name=name, module=module))
    return root


def _asked(server: FakeOpenAI) -> tuple[Counter[tuple[str, str]], int]:
    """``(module, name)`` of every first request to the model, and the number of repair requests."""
    asked: Counter[tuple[str, str]] = Counter()
    repairs = 0
    for request in server.completions:
        if len(request.messages) > 2:
            repairs += 1
            continue
        prompt = request.prompt
        module = MODULE_LINE.search(prompt)
        names = NAMES_LINE.search(prompt)
        assert module and names, prompt
        for name in names.group(1).split(","):
            asked[(module.group(1), name.strip())] += 1
    return asked, repairs


def _shown(entries: list[dict[str, Any]], *, limit: int = 20) -> str:
    return "\n".join(json.dumps(e) for e in entries[:limit]) + (
        f"\n... and {len(entries) - limit} more" if len(entries) > limit else "")


@pytest.mark.figure("concurrency runs with no torn read, duplicate request or lost edit")
def test_eight_processes_generate_merge_import_edit_and_read_the_same_modules(
    tmp_path: Path, server: FakeOpenAI, figures: Figures
) -> None:
    project = _project(tmp_path / "proj")
    logs = tmp_path / "logs"
    logs.mkdir()
    worker_script = tmp_path / "worker.py"
    worker_script.write_text(WORKER)
    gate = tmp_path / "gate"
    gate.mkdir()
    seed = int(os.environ.get("WISHFUL_PROOF_SEED") or random.SystemRandom().randrange(1 << 30))
    env = model_env(server, WISHFUL_QUIET="1", WISHFUL_REQUEST_TIMEOUT="120", WISHFUL_SANDBOX_TIMEOUT="60",
                    PYTHONUNBUFFERED="1")
    workers = [
        subprocess.Popen(
            [sys.executable, str(worker_script), str(project), str(n), str(ROUNDS), str(seed + n),
             str(logs / f"worker{n}.jsonl"), str(gate / f"ready{n}"), json.dumps(SHARED), str(LAZY)],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(WORKERS)
    ]
    try:
        deadline = time.monotonic() + 300
        while len(list(gate.glob("ready*"))) < WORKERS and time.monotonic() < deadline:
            early = [w for w in workers if w.poll() is not None]
            assert not early, [w.communicate()[1][-4000:] for w in early]
            time.sleep(0.01)
        (gate / "go").write_text("")  # every worker has its imports done: all start at once
        started = time.monotonic()
        outputs = [w.communicate(timeout=WORKER_TIMEOUT) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    elapsed = time.monotonic() - started

    entries = [json.loads(line) for n in range(WORKERS)
               for line in (logs / f"worker{n}.jsonl").read_text().splitlines()]
    failed = [(n, w.returncode, outputs[n][1][-4000:]) for n, w in enumerate(workers) if w.returncode != 0]
    errors = [e for e in entries if e["result"] == "error"]

    cache = Cache(project / ".wishful")
    ops = Counter(e["op"] for e in entries)
    partial = [e for e in entries if e["result"] in ("partial", "partial-metadata")]
    inconsistent = [e for e in entries if e["result"] == "inconsistent"]
    wrong = [e for e in entries if e["result"] in ("wrong-import", "lost-name") or e["result"].startswith("wrong:")]

    asked, repairs = _asked(server)
    duplicates = {key: count for key, count in asked.items() if count > 1}
    wished = {(module, module.split(".")[-1] + "_base") for module in SHARED}
    wished |= {(e["module"], e["name"]) for e in entries if e["op"] in ("merge", "import") and "name" in e}
    never_asked = sorted(wished - set(asked))

    lost_edits = []
    final_text = {m: cache.path_for(m).read_text(encoding="utf-8") for m in cache.modules()}
    final_lines = {m: set(text.splitlines()) for m, text in final_text.items()}
    for e in entries:
        if e["op"] == "edit" and e["result"] == "ok" and e["marker"] not in final_lines.get(e["module"], ()):
            lost_edits.append(e)
    undefined = []
    final_inconsistent = []
    for module in cache.modules():
        status = cache.status(module)
        if not (status.state is State.HAND_EDITED or (status.state is State.OK and status.verified)):
            final_inconsistent.append(f"{module}: {status.state.value} ({status.detail})")
        undefined += [f"{module}.{name}" for m, name in sorted(wished)
                      if m == module and name not in status.defined]
    undefined += [f"{m} (module missing)" for m in sorted({m for m, _ in wished}) if m not in final_text]
    leftovers = sorted(str(p.relative_to(cache.root)) for p in cache.root.rglob("*.tmp"))

    misses = sum(1 for e in entries if e["op"] == "import" and e.get("miss"))
    fresh = sum(1 for e in entries if e["op"] == "import" and e.get("process") == "fresh")
    conflicts = sum(e.get("conflicts", 0) for e in entries)
    remerged = sum(e.get("remerged", 0) for e in entries)
    reads = Counter(e["result"] for e in entries if e["op"] == "read")
    print(f"\nconcurrency proof: seed {seed}, {len(entries)} rounds in {elapsed:.1f}s "
          f"({', '.join(f'{op} {n}' for op, n in sorted(ops.items()))}); "
          f"{len(server.completions)} model requests ({repairs} repairs) for {len(asked)} names; "
          f"{misses} import misses, {fresh} imports in a new process; "
          f"reads {dict(sorted(reads.items()))}; {remerged} generations merged "
          f"into an edit saved while the model answered; {conflicts} conflicts retried; logs in {logs}")

    figures.record("concurrency rounds", len(entries))
    figures.record("concurrency partial reads", len(partial))
    figures.record("concurrency duplicate model requests", sum(c - 1 for c in duplicates.values()))
    figures.record("concurrency lost hand edits", len(lost_edits))
    figures.record("concurrency inconsistent metadata", len(inconsistent) + len(final_inconsistent))

    assert not failed, "\n\n".join(f"worker {n} exited {code}:\n{err}" for n, code, err in failed)
    assert not errors, _shown(errors)
    assert len(entries) == WORKERS * ROUNDS
    assert server.errors == []
    assert not partial, _shown(partial)
    assert not duplicates, f"asked more than once: {duplicates}"
    assert repairs == 0
    assert not never_asked, f"wished but never asked: {never_asked}"
    assert not lost_edits, _shown(lost_edits)
    assert not inconsistent, _shown(inconsistent)
    assert not wrong, _shown(wrong)
    assert not final_inconsistent, final_inconsistent
    assert not undefined, f"wished but not defined at the end: {undefined}"
    assert not leftovers, leftovers


# ----------------------------------------------------------------------------- the races, one at a time

APP = """
    # desired: shout the text back
    from wishful.text import shout

    print(shout("hello"))
    """


def _wait_for_request(server: FakeOpenAI, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while len(server.completions) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the model request never came"
        time.sleep(0.02)


def _generate_in_background(project: Path, server: FakeOpenAI) -> subprocess.Popen[str]:
    env = model_env(server, WISHFUL_REQUEST_TIMEOUT="60", COLUMNS="200")
    return subprocess.Popen([sys.executable, "-m", "wishful_lsp.cli", "generate"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_hand_edit_saved_while_the_model_answers_is_kept_and_merged_into(
    tmp_path: Path, server: FakeOpenAI
) -> None:
    project = cli_project(tmp_path / "proj", APP)
    assert run_wishful(project, server, "generate").returncode == 0
    cache = Cache(project / ".wishful")
    path = cache.path_for("wishful.text")
    (project / "more.py").write_text("from wishful.text import whisper\n\nwhisper('x')\n")
    server.script(delay(1.5))
    process = _generate_in_background(project, server)
    _wait_for_request(server, 2, process)  # the engine has read the module and waits for the model
    edited = path.read_text() + "\n# mine: saved by an editor that knows nothing of wishful\n"
    path.write_text(edited)  # in place, no lock
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, out + err
    final = path.read_text()
    assert final.startswith(edited.rstrip("\n")), final
    assert "def whisper(text: str) -> str:" in final
    status = cache.status("wishful.text")
    assert status.state is State.OK and status.verified
    assert len(server.completions) == 2


def test_an_edit_saved_during_a_regeneration_stops_it_and_is_kept(tmp_path: Path, server: FakeOpenAI) -> None:
    project = cli_project(tmp_path / "proj", APP)
    assert run_wishful(project, server, "generate").returncode == 0
    cache = Cache(project / ".wishful")
    path = cache.path_for("wishful.text")
    app = project / "app.py"
    app.write_text(app.read_text().replace("shout the text back", "shout the text back, twice"))
    server.script(delay(1.5))
    process = _generate_in_background(project, server)
    _wait_for_request(server, 2, process)
    edited = path.read_text().replace("return 'shout:' + text", "return text.upper()  # mine")
    path.write_text(edited)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "was edited while its definitions were being regenerated; nothing was written" in err
    assert path.read_text() == edited
    assert cache.status("wishful.text").state is State.HAND_EDITED


def test_a_path_that_sees_fewer_wishes_does_not_make_the_module_stale(
    tmp_path: Path, server: FakeOpenAI
) -> None:
    project = cli_project(tmp_path / "proj", APP)
    (project / "more.py").write_text(
        "# desired: whisper the text\nfrom wishful.text import whisper\n\nwhisper('x')\n")
    assert run_wishful(project, server, "generate").returncode == 0
    assert len(server.completions) == 1
    for path in ("app.py", "more.py"):
        result = run_wishful(project, server, "check", path)
        assert result.returncode == 0, result.stdout
        assert run_wishful(project, server, "generate", path).returncode == 0
    assert len(server.completions) == 1
    app = project / "app.py"
    app.write_text(app.read_text().replace("shout the text back", "shout the text back, twice"))
    result = run_wishful(project, server, "check", "more.py")
    assert result.returncode == 0, result.stdout
    result = run_wishful(project, server, "check", "app.py")
    assert result.returncode == 1 and "stale" in result.stdout
    assert run_wishful(project, server, "generate").returncode == 0
    assert len(server.completions) == 2
    assert "Names to implement: shout\n" in server.completions[1].prompt + "\n"


SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from wishful.cache import Cache

    original = Cache._write_metadata

    def slow(self, meta):
        Path(sys.argv[2]).write_text("")  # the new code is in place, its metadata not yet
        time.sleep(1.0)
        original(self, meta)

    Cache._write_metadata = slow
    Cache(sys.argv[1]).write("wishful.text", "A = 2\\n", names=["A"], fingerprint="f", model="m")
    """
)


def test_a_reader_does_not_take_a_write_between_code_and_metadata_for_a_hand_edit(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".wishful")
    cache.write("wishful.text", "A = 1\n", names=["A"], fingerprint="f", model="m")
    flag = tmp_path / "between"
    (tmp_path / "writer.py").write_text(SLOW_WRITER)
    writer = subprocess.Popen([sys.executable, str(tmp_path / "writer.py"), str(cache.root), str(flag)],
                              env=clean_env(), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert writer.poll() is None, writer.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    assert cache.path_for("wishful.text").read_text() == "A = 2\n"
    status = cache.status("wishful.text")
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert status.state is State.OK and status.verified, status.detail
    assert status.defined == ("A",)
