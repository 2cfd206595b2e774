"""The cache contract: states, metadata, atomic locked writes, conflicts, faults and clear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wishful import (
    CacheError,
    CacheLockTimeout,
    InvalidWishName,
    ModuleConflictError,
    NotACacheError,
)
from wishful.cache import SCHEMA_VERSION, Cache, Metadata, State, code_hash

from support.proc import clean_env, run_python, without_root_override

CODE = 'import re\n\n\ndef extract_emails(text: str) -> list[str]:\n    """E-mail addresses in text, lower-cased."""\n    return [m.lower() for m in re.findall(r"[\\w.+-]+@[\\w-]+\\.[\\w.]+", text)]\n'


def write(cache: Cache, module: str = "wishful.text", code: str = CODE, **kw: object):
    args: dict[str, object] = dict(names=["extract_emails"], fingerprint="fp-1", model="test-model")
    args.update(kw)
    return cache.write(module, code, **args)  # type: ignore[arg-type]


@pytest.fixture
def cache(project: Path) -> Cache:
    return Cache(project / ".wishful")


# ----------------------------------------------------------------------------- states


def test_missing_before_anything_is_written(cache: Cache) -> None:
    status = cache.status("wishful.text", names=["extract_emails"])
    assert status.state is State.MISSING
    assert status.missing_names == ("extract_emails",)
    assert not cache.root.exists(), "reading must not create the cache"


def test_write_then_ok_with_full_metadata(cache: Cache) -> None:
    status = write(cache, verdict={"passed": True, "checks": 3})
    assert status.state is State.OK and status.verified and not status.hand_edited
    assert status.defined == ("extract_emails",)
    assert cache.path_for("wishful.text").read_text() == CODE
    raw = json.loads(cache.metadata_path("wishful.text").read_text())
    assert raw["schema"] == SCHEMA_VERSION
    assert raw["module"] == "wishful.text"
    assert raw["names"] == ["extract_emails"]
    assert raw["fingerprint"] == "fp-1"
    assert raw["model"] == "test-model"
    assert raw["verdict"] == {"passed": True, "checks": 3}
    assert raw["code_sha256"] == code_hash(CODE)
    assert raw["placeholder"] is False
    assert raw["created"].endswith("Z") and raw["created"] == raw["updated"]


def test_rewrite_keeps_created_and_updates_updated(cache: Cache) -> None:
    write(cache)
    first = cache.read_metadata("wishful.text")
    assert first is not None
    time.sleep(1.1)
    write(cache, code=CODE + "\nVERSION = 2\n")
    second = cache.read_metadata("wishful.text")
    assert second is not None
    assert second.created == first.created
    assert second.updated > first.updated


def test_stale_when_the_fingerprint_differs(cache: Cache) -> None:
    write(cache)
    assert cache.status("wishful.text", fingerprint="fp-1").state is State.OK
    stale = cache.status("wishful.text", fingerprint="fp-2")
    assert stale.state is State.STALE and "changed" in stale.detail


def test_hand_edited_when_the_code_changes(cache: Cache) -> None:
    write(cache)
    path = cache.path_for("wishful.text")
    path.write_text(CODE + "\n\ndef slugify(s):\n    return s.lower()\n")
    status = cache.status("wishful.text", fingerprint="fp-2")
    assert status.state is State.HAND_EDITED
    assert status.hand_edited and not status.verified
    assert status.defined == ("extract_emails", "slugify")
    assert path.exists()


def test_placeholder(cache: Cache) -> None:
    status = write(cache, placeholder=True, model="offline")
    assert status.state is State.PLACEHOLDER
    assert "offline" in status.detail


def test_invalid_when_the_file_has_a_syntax_error(cache: Cache) -> None:
    write(cache)
    cache.path_for("wishful.text").write_text("def broken(:\n")
    status = cache.status("wishful.text")
    assert status.state is State.INVALID
    assert "line 1" in status.detail
    assert status.hand_edited


def test_empty_file_counts_as_missing(cache: Cache) -> None:
    cache.root.mkdir()
    (cache.root / "text.py").write_text("   \n")
    status = cache.status("wishful.text")
    assert status.state is State.MISSING and "empty" in status.detail


def test_module_without_metadata_is_ok_but_unverified(cache: Cache) -> None:
    cache.root.mkdir()
    (cache.root / "text.py").write_text(CODE)
    status = cache.status("wishful.text", fingerprint="anything")
    assert status.state is State.OK
    assert not status.verified and status.metadata is None
    assert "unverified" in status.detail


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"schema": 99, "module": "wishful.text"}', "newer than this wishful"),
        ('{"module": "wishful.text"}', "'schema'"),
        ('{"schema": 1, "names": "f"}', "'names'"),
    ],
)
def test_broken_metadata_is_reported_not_fatal(cache: Cache, content: str, problem: str) -> None:
    write(cache)
    cache.metadata_path("wishful.text").write_text(content)
    status = cache.status("wishful.text")
    assert status.state is State.OK and not status.verified
    assert status.metadata_problem is not None and problem in status.metadata_problem
    # and the next write repairs it
    assert write(cache).verified


def test_missing_names_are_listed(cache: Cache) -> None:
    write(cache)
    status = cache.status("wishful.text", names=["extract_emails", "slugify"])
    assert status.state is State.OK
    assert status.missing_names == ("slugify",)


def test_metadata_round_trip() -> None:
    meta = Metadata(module="wishful.x", names=("a", "b"), fingerprint="f", model="m",
                    created="c", updated="u", verdict={"ok": 1}, code_sha256="h",
                    placeholder=True, regenerate=True)
    assert Metadata.from_json(json.loads(json.dumps(meta.to_json()))) == meta


# ----------------------------------------------------------------------------- writes


def test_nested_names_create_packages(cache: Cache) -> None:
    write(cache, "wishful.a.b", "X = 1\n", names=["X"])
    assert (cache.root / "a" / "__init__.py").read_text() == ""
    assert (cache.root / "a" / "b.py").read_text() == "X = 1\n"
    assert cache.modules() == ["wishful.a.b"]


def test_module_then_package_of_the_same_name_is_a_conflict(cache: Cache) -> None:
    write(cache, "wishful.a", "X = 1\n", names=["X"])
    with pytest.raises(ModuleConflictError, match="already a module"):
        write(cache, "wishful.a.b", "Y = 1\n", names=["Y"])
    assert not (cache.root / "a").exists()


def test_package_then_module_of_the_same_name_is_a_conflict(cache: Cache) -> None:
    write(cache, "wishful.a.b", "Y = 1\n", names=["Y"])
    with pytest.raises(ModuleConflictError, match="already a package"):
        write(cache, "wishful.a", "X = 1\n", names=["X"])
    assert not (cache.root / "a.py").exists()


@pytest.mark.parametrize("name", ["wishful.../evil", "wishful.class", "wishful._meta", "wishful.static"])
def test_invalid_names_are_refused_before_touching_disk(cache: Cache, name: str) -> None:
    with pytest.raises(InvalidWishName):
        write(cache, name)
    assert not cache.root.exists()


def test_cache_path_that_is_a_file(project: Path) -> None:
    (project / ".wishful").write_text("I am a file")
    cache = Cache(project / ".wishful")
    with pytest.raises(CacheError, match="is a file, not a directory"):
        write(cache)
    assert (project / ".wishful").read_text() == "I am a file"


def test_symlinked_module_escaping_the_cache_is_not_overwritten(cache: Cache, project: Path) -> None:
    write(cache)
    outside = project / "precious.py"
    outside.write_text("KEEP = True\n")
    path = cache.path_for("wishful.text")
    path.unlink()
    os.symlink(outside, path)
    with pytest.raises(CacheError, match="outside the cache"):
        write(cache)
    assert outside.read_text() == "KEEP = True\n"


def test_symlinked_package_directory_escaping_the_cache_is_refused(cache: Cache, project: Path) -> None:
    write(cache)
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, cache.root / "a")
    with pytest.raises(CacheError, match="outside the cache"):
        write(cache, "wishful.a.b", "X = 1\n", names=["X"])
    assert list(elsewhere.iterdir()) == []


def test_read_only_cache_gives_a_clear_error_and_keeps_everything(cache: Cache, project: Path) -> None:
    write(cache)
    before = {p: p.read_bytes() for p in cache.root.rglob("*") if p.is_file() and p.suffix != ".lock"}
    for directory in [cache.root, cache.root / "_meta"]:
        directory.chmod(0o555)
    try:
        result = subprocess.run(
            [*without_root_override(), sys.executable, "-c", (
                "import sys\n"
                "from wishful.cache import Cache\n"
                "from wishful import CacheError\n"
                f"c = Cache({str(cache.root)!r})\n"
                "print(c.status('wishful.text').state)\n"
                "try:\n"
                "    c.write('wishful.text', 'X = 2\\n', names=['X'], fingerprint='f', model='m')\n"
                "except CacheError as e:\n"
                "    print('ERROR', e)\n"
                "    sys.exit(3)\n"
            )],
            capture_output=True, text=True, env=clean_env(), cwd=project,
        )
    finally:
        for directory in [cache.root, cache.root / "_meta"]:
            directory.chmod(0o755)
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("ok\n")
    assert "not writable" in result.stdout and "WISHFUL_CACHE_DIR" in result.stdout
    after = {p: p.read_bytes() for p in cache.root.rglob("*") if p.is_file() and p.suffix != ".lock"}
    assert after == before


def test_full_disk_leaves_the_old_module_and_no_temp_files(cache: Cache, monkeypatch: pytest.MonkeyPatch) -> None:
    write(cache)
    before = {p: p.read_bytes() for p in cache.root.rglob("*") if p.is_file() and p.suffix != ".lock"}
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fd: int, mode: str) -> None:
            self.file = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", FullDisk)
    with pytest.raises(CacheError, match="disk is full"):
        write(cache, code="X = 2\n")
    monkeypatch.undo()
    after = {p: p.read_bytes() for p in cache.root.rglob("*") if p.is_file() and p.suffix != ".lock"}
    assert after == before
    assert not list(cache.root.rglob("*.tmp"))


def test_new_code_of_the_same_size_in_the_same_second_is_not_shadowed_by_bytecode(cache: Cache) -> None:
    """CPython's bytecode cache is keyed on (mtime in seconds, size); rewrites must not hit it."""
    project = cache.root.parent
    write(cache, code="VALUE = 'one'\n", names=["VALUE"])
    first = run_python("from wishful.text import VALUE; print(VALUE)", cwd=project)
    write(cache, code="VALUE = 'two'\n", names=["VALUE"])
    second = run_python("from wishful.text import VALUE; print(VALUE)", cwd=project)
    assert (first.stdout, second.stdout) == ("one\n", "two\n")


def test_request_regeneration_marks_stale_and_deletes_nothing(cache: Cache) -> None:
    write(cache)
    status = cache.request_regeneration("wishful.static.text")
    assert status.state is State.STALE and "requested" in status.detail
    assert cache.path_for("wishful.text").read_text() == CODE
    assert write(cache).state is State.OK  # regenerating clears the mark


def test_request_regeneration_of_a_module_without_metadata(cache: Cache) -> None:
    cache.root.mkdir()
    (cache.root / "text.py").write_text(CODE)
    assert cache.request_regeneration("text").state is State.STALE
    assert (cache.root / "text.py").read_text() == CODE


def test_request_regeneration_of_a_missing_module(cache: Cache) -> None:
    with pytest.raises(CacheError, match="not in the cache"):
        cache.request_regeneration("wishful.nothing")


# ----------------------------------------------------------------------------- locks


def test_lock_is_reentrant_in_one_thread(cache: Cache) -> None:
    with cache.lock("wishful.text"), cache.lock("wishful.text"):
        write(cache)  # write takes the same lock again
    assert cache.status("wishful.text").verified


def test_lock_timeout_names_the_holder(cache: Cache) -> None:
    cache.root.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\n"
            "from wishful.cache import Cache\n"
            f"with Cache({str(cache.root)!r}).lock('wishful.text'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(30)\n"
        )],
        stdout=subprocess.PIPE, text=True, env=clean_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(CacheLockTimeout, match=f"held by process {holder.pid}"):
            with cache.lock("wishful.text", timeout=0.3):
                pass
    finally:
        holder.kill()
        holder.wait()
    with cache.lock("wishful.text", timeout=5):  # released when the holder died
        pass


# ----------------------------------------------------------------------------- clear


def test_clear_removes_generated_modules_and_keeps_the_rest(cache: Cache) -> None:
    write(cache)
    write(cache, "wishful.a.b", "X = 1\n", names=["X"])
    write(cache, "wishful.edited", "Y = 1\n", names=["Y"])
    (cache.root / "edited.py").write_text("Y = 2  # mine\n")
    (cache.root / "manual.py").write_text("Z = 3\n")
    (cache.root / "README.md").write_text("notes\n")
    (cache.root / "__pycache__").mkdir()
    (cache.root / "__pycache__" / "text.cpython-311.pyc").write_bytes(b"x")
    report = cache.clear()
    assert not (cache.root / "text.py").exists()
    assert not (cache.root / "a").exists()
    assert not cache.metadata_path("wishful.text").exists()
    assert (cache.root / "edited.py").read_text() == "Y = 2  # mine\n"
    assert (cache.root / "manual.py").read_text() == "Z = 3\n"
    assert (cache.root / "README.md").read_text() == "notes\n"
    assert not (cache.root / "__pycache__").exists()
    kept = dict(report.kept)
    assert "edited by hand" in kept[str(cache.root / "edited.py")]
    assert "no wishful metadata" in kept[str(cache.root / "manual.py")]
    assert str(cache.root / "text.py") in report.removed
    assert cache.status("wishful.edited").state is State.HAND_EDITED  # its metadata is kept


def test_clear_all_removes_unverified_modules_but_not_foreign_files(cache: Cache) -> None:
    write(cache)
    (cache.root / "manual.py").write_text("Z = 3\n")
    (cache.root / "data.csv").write_text("a,b\n")
    outside = cache.root.parent / "keep-me.py"
    outside.write_text("KEEP = 1\n")
    os.symlink(outside, cache.root / "link.py")
    report = cache.clear(include_unverified=True)
    assert cache.modules() == []
    assert (cache.root / "data.csv").exists()
    assert outside.read_text() == "KEEP = 1\n"  # only the link inside the cache went
    assert not report.removed_cache_dir


def test_clear_removes_an_emptied_cache_directory(cache: Cache) -> None:
    write(cache)
    report = cache.clear()
    assert report.removed_cache_dir and not cache.root.exists()


def test_clear_refuses_a_directory_that_is_not_a_cache(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "script.py").write_text("print('mine')\n")
    (home / ".bashrc").write_text("export X=1\n")
    with pytest.raises(NotACacheError, match="does not look like a wishful cache"):
        Cache(home).clear(include_unverified=True)
    assert (home / "script.py").exists() and (home / ".bashrc").exists()


def test_clear_of_a_cache_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / ".wishful"
    target.write_text("data")
    with pytest.raises(NotACacheError, match="is a file"):
        Cache(target).clear()
    assert target.read_text() == "data"


def test_clear_of_a_missing_cache_is_a_no_op(tmp_path: Path) -> None:
    report = Cache(tmp_path / ".wishful").clear()
    assert report.removed == () and report.kept == ()


def test_a_custom_directory_is_recognised_by_its_marker(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "generated")
    write(cache)
    assert cache.is_cache_dir()
    cache.clear()
    assert cache.modules() == []


def test_inspect_lists_every_module_with_its_state(cache: Cache) -> None:
    write(cache)
    write(cache, "wishful.a.b", "X = 1\n", names=["X"], placeholder=True)
    (cache.root / "bad.py").write_text("def (\n")
    (cache.root / "not-a-module.py").write_text("x = 1\n")
    (cache.root / "_private.py").write_text("x = 1\n")
    (cache.root / "notes.txt").write_text("stray\n")
    (cache.root / "data").mkdir()
    (cache.root / "data" / "loose.py").write_text("x = 1\n")  # not a package: not scanned
    outside = cache.root.parent / "outside.py"
    outside.write_text("x = 1\n")
    os.symlink(outside, cache.root / "escape.py")
    statuses = {s.module: s for s in cache.inspect()}
    assert {m: s.state for m, s in statuses.items()} == {
        "wishful.a.b": State.PLACEHOLDER,
        "wishful.bad": State.INVALID,
        "wishful.escape": State.INVALID,
        "wishful.text": State.OK,
    }
    assert "outside the cache" in statuses["wishful.escape"].detail


def test_a_crash_between_code_and_metadata_reads_as_hand_edited(project: Path) -> None:
    """Code is written first, metadata second: killed in between, nothing reads as corrupt."""
    cache = Cache(project / ".wishful")
    write(cache)
    crash = (
        "import os\n"
        "from wishful.cache import Cache\n"
        "def die(self, meta):\n"
        "    os._exit(9)  # the process dies after the code was replaced\n"
        "Cache._write_metadata = die\n"
        f"Cache({str(cache.root)!r}).write('wishful.text', 'X = 2\\n', names=['X'], fingerprint='f2', model='m')\n"
    )
    result = subprocess.run([sys.executable, "-c", crash], env=clean_env(), capture_output=True)
    assert result.returncode == 9
    status = cache.status("wishful.text")
    assert status.state is State.HAND_EDITED
    assert cache.path_for("wishful.text").read_text() == "X = 2\n"
    assert not list(cache.root.rglob("*.tmp"))
    assert write(cache).state is State.OK  # the next generation brings them back in line
