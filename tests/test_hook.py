"""The import hook, exercised in fresh interpreters as an application would use it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from wishful.cache import Cache, State

from support.proc import clean_env, run_python

TEXT = '''"""Text helpers."""
import re

print("executing wishful.text")


def extract_emails(text: str) -> list[str]:
    return [m.lower() for m in re.findall(r"[\\w.+-]+@[\\w-]+\\.[\\w.]+", text)]
'''


@pytest.fixture
def app(project: Path) -> Path:
    cache = Cache(project / ".wishful")
    cache.write("wishful.text", TEXT, names=["extract_emails"], fingerprint="f", model="m")
    cache.write("wishful.a.b", "X = 42\n", names=["X"], fingerprint="f", model="m")
    return project


def run(code: str, cwd: Path, **env: str):
    return run_python(code, cwd=cwd, env=clean_env(**env))


def fails(code: str, cwd: Path, **env: str) -> str:
    result = run_python(code, cwd=cwd, env=clean_env(**env), check=False)
    assert result.returncode != 0, result.stdout
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "statement",
    [
        "from wishful.text import extract_emails",
        "from wishful.static.text import extract_emails",
        "import wishful.text; extract_emails = wishful.text.extract_emails",
        "import wishful.static.text as t; extract_emails = t.extract_emails",
        "from wishful import text; extract_emails = text.extract_emails",
        "from wishful.static import text; extract_emails = text.extract_emails",
        "import importlib; extract_emails = importlib.import_module('wishful.text').extract_emails",
    ],
)
def test_every_import_form_loads_the_cached_module(app: Path, statement: str) -> None:
    out = run(f"{statement}\nprint(extract_emails('Mail Bob@Example.com or team@demo.dev'))", app)
    assert out.stdout.splitlines() == [
        "executing wishful.text",
        "['bob@example.com', 'team@demo.dev']",
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "from wishful.a.b import X",
        "from wishful.static.a.b import X",
        "import wishful.a.b; X = wishful.a.b.X",
        "from wishful.a import b; X = b.X",
        "from wishful.static.a import b; X = b.X",
    ],
)
def test_nested_modules(app: Path, statement: str) -> None:
    assert run(f"{statement}\nprint(X)", app).stdout == "42\n"


def test_static_spelling_is_the_same_module_executed_once(app: Path) -> None:
    out = run(
        """
        import sys
        import wishful.text as plain
        import wishful.static.text as static
        from wishful.static.a import b as static_b
        from wishful.a import b
        print(plain is static, b is static_b, plain.__name__, plain.__file__.endswith('text.py'))
        """,
        app,
    )
    assert out.stdout.splitlines() == ["executing wishful.text", "True True wishful.text True"]


def test_bytecode_is_cached_next_to_the_module(app: Path) -> None:
    run("from wishful.text import extract_emails", app)
    pycs = list((app / ".wishful" / "__pycache__").glob("text.*.pyc"))
    assert len(pycs) == 1


def test_only_the_standard_library_is_imported(app: Path) -> None:
    out = run(
        """
        import json, sys
        before = set(sys.modules)
        from wishful.text import extract_emails
        from wishful.static.a.b import X
        added = sorted(set(sys.modules) - before)
        print(json.dumps(added))
        """,
        app,
    )
    added = json.loads(out.stdout.splitlines()[-1])
    import sys

    foreign = [
        m for m in added
        if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "wishful"
    ]
    assert "wishful.text" in added and "wishful._hook" in added
    assert foreign == []
    assert not any(m.startswith(("litellm", "wishful_lsp")) for m in added)


def test_missing_name_names_the_module_the_file_and_the_fix(app: Path) -> None:
    message = fails("from wishful.text import slugify", app)
    assert message.startswith("wishful.MissingNameError: cannot import name 'slugify' from wishful.text")
    assert str(app / ".wishful" / "text.py") in message
    assert "defines extract_emails" in message
    assert "wishful generate" in message and "Generate with wishful" in message


def test_attribute_probes_stay_cheap_and_quiet(app: Path) -> None:
    out = run(
        """
        import wishful.text as t
        print(hasattr(t, 'slugify'), getattr(t, 'slugify', 'default'))
        try:
            t.slugify
        except AttributeError as e:
            print(type(e).__name__, e)
        """,
        app,
    )
    assert out.stdout.splitlines()[1:] == [
        "False default",
        "AttributeError module 'wishful.text' has no attribute 'slugify'",
    ]


def test_a_module_keeps_its_own_getattr(project: Path) -> None:
    Cache(project / ".wishful").write(
        "wishful.lazy", "def __getattr__(name):\n    return name.upper()\n",
        names=["anything"], fingerprint="f", model="m",
    )
    assert run("from wishful.lazy import anything\nprint(anything)", project).stdout == "ANYTHING\n"


@pytest.mark.parametrize(
    "statement",
    [
        "from wishful.nothing import f",
        "import wishful.nothing",
        "from wishful import nothing",
        "from wishful.static import nothing",
        "from wishful.static.nothing import f",
    ],
)
def test_cache_miss_names_the_module_the_directory_and_the_fix(app: Path, statement: str) -> None:
    message = fails(statement, app)
    assert message.startswith("wishful.WishNotFoundError: wishful.")
    assert "nothing has not been generated yet" in message
    assert str(app / ".wishful" / "nothing.py") in message
    assert "nearest existing .wishful/ directory" in message
    assert "wishful generate" in message


def test_cache_miss_is_a_module_not_found_error_with_its_name(app: Path) -> None:
    out = run(
        """
        try:
            import wishful.nothing
        except ModuleNotFoundError as e:
            print(type(e).__name__, e.name)
        """,
        app,
    )
    assert out.stdout == "WishNotFoundError wishful.nothing\n"


def test_empty_module_file_is_a_miss(project: Path) -> None:
    (project / ".wishful").mkdir()
    (project / ".wishful" / "text.py").write_text("\n")
    assert "text.py is empty" in fails("from wishful.text import f", project)


def test_syntax_error_in_a_module_is_reported_and_the_file_kept(app: Path) -> None:
    path = app / ".wishful" / "text.py"
    path.write_text("def broken(:\n")
    message = fails("from wishful.text import extract_emails", app)
    assert message.startswith("SyntaxError")
    assert path.read_text() == "def broken(:\n"


def test_hand_edited_module_is_used_as_edited_and_never_deleted(app: Path) -> None:
    path = app / ".wishful" / "text.py"
    edited = "def extract_emails(text):\n    return ['edited']\n"
    path.write_text(edited)
    assert run("from wishful.text import extract_emails\nprint(extract_emails(''))", app).stdout == "['edited']\n"
    assert path.read_text() == edited
    assert Cache(app / ".wishful").status("wishful.text").state is State.HAND_EDITED


def test_symlink_escaping_the_cache_is_refused_at_import(app: Path) -> None:
    outside = app / "outside.py"
    outside.write_text("print('ESCAPED')\n")
    os.symlink(outside, app / ".wishful" / "evil.py")
    result = run_python("import wishful.evil", cwd=app, env=clean_env(), check=False)
    assert result.returncode != 0
    assert "ESCAPED" not in result.stdout
    assert "outside the cache" in result.stderr


def test_runtime_modules_are_never_shadowed_by_cache_files(app: Path) -> None:
    (app / ".wishful" / "cache.py").write_text("raise SystemExit('shadowed!')\n")
    out = run("import wishful.cache\nfrom wishful import configure\nprint(wishful.cache.Cache.__name__, callable(configure))", app)
    assert out.stdout == "Cache True\n"


def test_dynamic_wishes_explain_that_they_need_generation(app: Path) -> None:
    message = fails("from wishful.dynamic.text import extract_emails", app, WISHFUL_GENERATE="0")
    assert message.startswith("wishful.DynamicWishError: cannot import wishful.dynamic.text")
    assert "regenerated by a model at every call" in message
    assert "generation is turned off" in message
    assert "import wishful.text instead" in message


def test_install_is_idempotent(app: Path) -> None:
    out = run(
        """
        import importlib, sys
        import wishful, wishful._hook
        wishful._hook.install()
        importlib.reload(wishful._hook)
        wishful._hook.install()
        importlib.reload(wishful)
        print(sum(getattr(f, '__name__', '') == 'WishfulFinder' for f in sys.meta_path))
        from wishful.text import extract_emails
        """,
        app,
    )
    assert out.stdout.splitlines()[0] == "1"


def test_cache_dir_from_environment_and_configure(project: Path, tmp_path: Path) -> None:
    env_cache = Cache(tmp_path / "env-cache")
    env_cache.write("wishful.where", "WHERE = 'env'\n", names=["WHERE"], fingerprint="f", model="m")
    conf_cache = Cache(tmp_path / "conf-cache")
    conf_cache.write("wishful.where", "WHERE = 'configured'\n", names=["WHERE"], fingerprint="f", model="m")
    out = run(
        f"""
        import sys, wishful
        from wishful.where import WHERE
        print(WHERE)
        wishful.configure(cache_dir={str(conf_cache.root)!r})
        del sys.modules['wishful.where']
        from wishful.where import WHERE
        print(WHERE)
        """,
        project,
        WISHFUL_CACHE_DIR=str(env_cache.root),
    )
    assert out.stdout == "env\nconfigured\n"


# ----------------------------------------------------------------------------- engine seam

FAKE_ENGINE = '''
import json, os
from wishful.cache import Cache

CALLS = []

def generate_on_miss(module, cache_dir):
    CALLS.append(module)
    with open("engine-calls.log", "a") as log:
        log.write(module + "\\n")
    Cache(cache_dir).write(module, "def made():\\n    return 'by the engine'\\n",
                           names=["made"], fingerprint="f", model="fake")
    return True
'''


@pytest.fixture
def engine_project(project: Path) -> Path:
    (project / "fake_engine.py").write_text(FAKE_ENGINE)
    return project


SEAM = """
import sys
sys.path.insert(0, '.')
import wishful, wishful._hook
wishful._hook.ENGINE_HOOK_MODULE = 'fake_engine'
"""


def test_a_miss_calls_the_engine_seam_once(engine_project: Path) -> None:
    out = run(SEAM + "from wishful.fresh import made\nfrom wishful.static.fresh import made as again\nprint(made(), made is again)", engine_project)
    assert out.stdout == "by the engine True\n"
    assert (engine_project / "engine-calls.log").read_text() == "wishful.fresh\n"


@pytest.mark.parametrize(
    ("setup", "env"),
    [("", {"WISHFUL_GENERATE": "0"}), ("wishful.configure(generate=False)\n", {})],
)
def test_generation_on_miss_can_be_turned_off(engine_project: Path, setup: str, env: dict[str, str]) -> None:
    message = fails(SEAM + setup + "from wishful.fresh import made", engine_project, **env)
    assert "WishNotFoundError" in message
    assert not (engine_project / "engine-calls.log").exists()


# ----------------------------------------------------------------------------- public API


def test_inspect_regenerate_and_clear_from_python(app: Path) -> None:
    out = run(
        """
        import sys, wishful
        from wishful.text import extract_emails
        print(sorted((s.module, s.state.value) for s in wishful.inspect_cache()))
        print(wishful.regenerate('wishful.static.text').state.value, 'wishful.text' in sys.modules)
        report = wishful.clear_cache()
        print(len(report.removed) > 0, 'wishful.a.b' in sys.modules, wishful.inspect_cache())
        """,
        app,
    )
    lines = out.stdout.splitlines()
    assert lines[1] == "[('wishful.a.b', 'ok'), ('wishful.text', 'ok')]"
    assert lines[2] == "stale False"
    assert lines[3] == "True False []"


def test_configure_validates_its_arguments(project: Path) -> None:
    import wishful

    with pytest.raises(ValueError, match="context_radius"):
        wishful.configure(context_radius=-1)
    with pytest.raises(TypeError, match="generate"):
        wishful.configure(generate="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cache_dir"):
        wishful.configure(cache_dir="  ")
    with pytest.raises(TypeError):
        wishful.configure(unknown=1)  # type: ignore[call-arg]
    try:
        wishful.configure(model="openai/gpt-4o-mini", context_radius=5)
        assert wishful.settings.model == "openai/gpt-4o-mini"
        assert wishful.settings.context_radius == 5
    finally:
        wishful.reset_defaults()
    assert wishful.settings.model is None
