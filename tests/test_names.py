"""Names ⇄ paths: which wish names are valid and which file each maps to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wishful
from wishful import InvalidWishName
from wishful._paths import RUNTIME_NAMES, locate
from wishful.cache import Cache, canonical_name, wish_parts

RUNTIME_DIR = Path(wishful.__file__).parent


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("wishful.text", ("text",)),
        ("wishful.static.text", ("text",)),
        ("text", ("text",)),
        ("wishful.a.b", ("a", "b")),
        ("wishful.static.a.b", ("a", "b")),
        ("a.b.c", ("a", "b", "c")),
        ("wishful.données", ("données",)),
    ],
)
def test_valid_names_map_to_cache_components(name: str, parts: tuple[str, ...]) -> None:
    assert wish_parts(name) == parts


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("wishful", "runtime package itself"),
        ("wishful.static", "namespace package"),
        ("wishful.dynamic.text", "dynamic wish"),
        ("wishful.class", "keyword"),
        ("wishful.a.import", "keyword"),
        ("wishful...etc", "empty component"),
        ("wishful.a..b", "empty component"),
        ("wishful.a/b", "not a Python identifier"),
        ("../../etc/passwd", "empty component"),
        ("wishful.text-utils", "not a Python identifier"),
        ("wishful._meta", "reserved for the cache"),
        ("wishful.a.__init__", "reserved for the cache"),
        ("wishful.__pycache__", "reserved for the cache"),
        ("wishful.cache", "reserved name"),
        ("wishful.configure", "reserved name"),
        ("wishful.type", "reserved name"),
        ("wishful.dynamic", "dynamic wish"),
        ("", "empty component"),
    ],
)
def test_invalid_names_are_refused_with_the_reason(name: str, reason: str) -> None:
    with pytest.raises(InvalidWishName, match=reason):
        wish_parts(name)


def test_bare_names_can_be_refused() -> None:
    with pytest.raises(InvalidWishName, match="must start with 'wishful.'"):
        wish_parts("text", allow_bare=False)


def test_non_string_name() -> None:
    with pytest.raises(InvalidWishName, match="must be a string"):
        wish_parts(3)  # type: ignore[arg-type]


def test_canonical_name_drops_static() -> None:
    assert canonical_name("wishful.static.a.b") == "wishful.a.b"
    assert canonical_name("text") == "wishful.text"


def test_reserved_names_cover_everything_the_runtime_defines() -> None:
    submodules = {
        p.stem if p.suffix == ".py" else p.name
        for p in RUNTIME_DIR.iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").exists()) and not p.name.startswith("_")
    }
    public = {n for n in dir(wishful) if not n.startswith("_")}
    missing = (submodules | public) - RUNTIME_NAMES
    assert not missing, f"add these to wishful._paths.RUNTIME_NAMES: {sorted(missing)}"


def test_paths_for_flat_and_nested_modules(tmp_path: Path) -> None:
    cache = Cache(tmp_path / ".wishful")
    assert cache.path_for("wishful.text") == tmp_path / ".wishful" / "text.py"
    assert cache.path_for("wishful.static.a.b") == tmp_path / ".wishful" / "a" / "b.py"
    assert cache.metadata_path("wishful.a.b") == tmp_path / ".wishful" / "_meta" / "a.b.json"


def test_module_for_path_is_the_inverse(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.module_for_path(tmp_path / "text.py") == "wishful.text"
    assert cache.module_for_path(tmp_path / "a" / "b.py") == "wishful.a.b"
    assert cache.module_for_path(tmp_path / "a" / "__init__.py") == "wishful.a"
    assert cache.module_for_path(tmp_path / "_meta" / "text.json") is None
    assert cache.module_for_path(tmp_path / "notes.txt") is None
    assert cache.module_for_path(tmp_path.parent / "elsewhere.py") is None


def test_module_and_package_of_the_same_name_is_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "__init__.py").write_text("")
    (tmp_path / "a.py").write_text("x = 1\n")
    with pytest.raises(wishful.CacheError, match="ambiguous"):
        locate(str(tmp_path), ("a",))


def test_symlink_leaving_the_cache_is_refused(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    outside = tmp_path / "outside.py"
    outside.write_text("def f(): return 'outside'\n")
    os.symlink(outside, cache_dir / "text.py")
    with pytest.raises(wishful.CacheError, match="outside the cache"):
        locate(str(cache_dir), ("text",))


def test_symlink_inside_the_cache_is_fine(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text("x = 1\n")
    os.symlink(tmp_path / "real.py", tmp_path / "alias.py")
    assert locate(str(tmp_path), ("alias",)) == ("module", str(tmp_path / "alias.py"))


def test_empty_and_whitespace_files_count_as_not_generated(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    (tmp_path / "b.py").write_text("\n  \n")
    assert locate(str(tmp_path), ("a",))[0] == "empty"
    assert locate(str(tmp_path), ("b",))[0] == "empty"
