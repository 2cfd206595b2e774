"""Many processes writing and reading one module: no torn reads, code and metadata consistent."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from wishful.cache import Cache, State, code_hash

from support.proc import clean_env

WRITERS = 8
ROUNDS = 50

WRITER = textwrap.dedent(
    """
    import sys
    from wishful.cache import Cache

    cache = Cache(sys.argv[1])
    writer = int(sys.argv[2])
    for round_ in range(int(sys.argv[3])):
        tag = f"{writer}-{round_}"
        body = "".join(f"VALUE_{i} = {i!r}  # {tag}\\n" for i in range(2000 + writer * 37))
        code = f"# begin {tag}\\n{body}# end {tag}\\n"
        cache.write("wishful.shared", code, names=["VALUE_0"], fingerprint=tag, model="writer")
    """
)

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path

    path = Path(sys.argv[1]) / "shared.py"
    meta = Path(sys.argv[1]) / "_meta" / "shared.json"
    deadline = time.monotonic() + 120
    reads = torn = 0
    while not Path(sys.argv[2]).exists() and time.monotonic() < deadline:
        try:
            text = path.read_text()
            json.loads(meta.read_text())
        except FileNotFoundError:
            continue
        except ValueError:
            torn += 1
            continue
        lines = text.splitlines()
        reads += 1
        if not lines or not lines[0].startswith("# begin ") or lines[-1] != "# end " + lines[0][8:]:
            torn += 1
    print(json.dumps({"reads": reads, "torn": torn}))
    """
)


def test_concurrent_writers_never_expose_a_partial_file(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".wishful")
    cache.write("wishful.shared", "# begin seed\n# end seed\n", names=[], fingerprint="seed", model="seed")
    stop = tmp_path / "stop"
    (tmp_path / "writer.py").write_text(WRITER)
    (tmp_path / "reader.py").write_text(READER)
    env = clean_env()
    readers = [
        subprocess.Popen([sys.executable, str(tmp_path / "reader.py"), str(cache.root), str(stop)],
                         stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    writers = [
        subprocess.Popen([sys.executable, str(tmp_path / "writer.py"), str(cache.root), str(n), str(ROUNDS)],
                         stderr=subprocess.PIPE, text=True, env=env)
        for n in range(WRITERS)
    ]
    try:
        for w in writers:
            _, err = w.communicate(timeout=300)
            assert w.returncode == 0, err
    finally:
        stop.write_text("")
    results = [json.loads(r.communicate(timeout=60)[0]) for r in readers]
    assert all(r["torn"] == 0 for r in results), results
    assert sum(r["reads"] for r in results) > 0

    status = cache.status("wishful.shared")
    assert status.state is State.OK and status.verified
    meta = cache.read_metadata("wishful.shared")
    assert meta is not None
    code = cache.path_for("wishful.shared").read_text()
    assert code.startswith(f"# begin {meta.fingerprint}\n")
    assert meta.code_sha256 == code_hash(code)
    assert not list(cache.root.rglob("*.tmp"))


GENERATOR = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from wishful.cache import Cache, State

    cache = Cache(sys.argv[1])
    with cache.lock("wishful.once"):
        if cache.status("wishful.once").state is State.MISSING:
            with open(Path(sys.argv[1]).parent / "generations.log", "a") as log:
                log.write(sys.argv[2] + "\\n")
            cache.write("wishful.once", f"BY = {sys.argv[2]!r}\\n", names=["BY"],
                        fingerprint="f", model="m")
    """
)


def test_check_then_write_under_the_lock_generates_once(tmp_path: Path) -> None:
    cache_dir = tmp_path / ".wishful"
    (tmp_path / "gen.py").write_text(GENERATOR)
    procs = [
        subprocess.Popen([sys.executable, str(tmp_path / "gen.py"), str(cache_dir), str(n)],
                         stderr=subprocess.PIPE, text=True, env=clean_env())
        for n in range(WRITERS)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    generations = (tmp_path / "generations.log").read_text().splitlines()
    assert len(generations) == 1
    assert Cache(cache_dir).path_for("wishful.once").read_text() == f"BY = {generations[0]!r}\n"
