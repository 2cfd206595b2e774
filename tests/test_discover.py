"""Discovery on crafted files: every import form, context, broken text, positions."""

from __future__ import annotations

import textwrap

import pytest

from wishful_lsp.engine.discover import discover
from wishful_lsp.engine.redact import REDACTED, Redactor
from wishful_lsp.engine.wishes import Position, Wish


def wishes(source: str, **kw: object) -> dict[str, Wish]:
    found = discover(textwrap.dedent(source), "app.py", **kw)  # type: ignore[arg-type]
    return {w.module: w for w in found.wishes}


def names(w: Wish) -> list[str]:
    return [n.name for n in w.names]


def test_no_wishful_means_nothing_to_do() -> None:
    assert discover("import os\nprint('hello')\n").wishes == ()


def test_from_import_with_alias_and_positions() -> None:
    w = wishes("from wishful.text import extract_emails, slugify as slug\n")["wishful.text"]
    assert w.form == "from" and w.spelled == "wishful.text"
    assert names(w) == ["extract_emails", "slugify"]
    assert [n.alias for n in w.names] == [None, "slug"]
    assert (w.span.start, w.span.end) == (Position(0, 5), Position(0, 17))
    assert w.names[0].span.start == Position(0, 25) and w.names[0].span.end == Position(0, 39)


def test_static_spelling_and_nested_modules() -> None:
    found = wishes("from wishful.static.text import a\nfrom wishful.a.b import c\n")
    assert found["wishful.text"].spelled == "wishful.static.text"
    assert names(found["wishful.a.b"]) == ["c"]


def test_parenthesised_multi_line_import_with_per_name_comments() -> None:
    w = wishes(
        """
        # desired: numeric helpers
        from wishful.numbers import (
            mean,  # the arithmetic mean
            # desired: the middle value of a sorted copy
            median,
        )
        """
    )["wishful.numbers"]
    assert names(w) == ["mean", "median"]
    assert w.hints[0] == "desired: numeric helpers"
    assert w.names[0].hints == ("the arithmetic mean",)
    assert w.names[1].hints == ("desired: the middle value of a sorted copy",)
    assert w.names[1].span.start == Position(5, 4)


def test_module_imports_request_the_attributes_used() -> None:
    found = wishes(
        """
        import wishful.dates as d
        import wishful.units
        print(d.parse("2024-01-01"), d.TODAY)
        wishful.units.convert(1, "km", to="mi")
        """
    )
    assert found["wishful.dates"].form == "module"
    assert names(found["wishful.dates"]) == ["parse", "TODAY"]
    assert found["wishful.dates"].names[1].calls[0].called is False
    convert = found["wishful.units"].names[0]
    assert convert.name == "convert"
    assert convert.calls[0].keywords == (("to", '"mi"'),)


def test_from_wishful_import_module_is_a_module_not_a_function() -> None:
    found = wishes("from wishful import text, strings as s\ntext.shout('x')\ns.whisper('y')\n")
    assert found["wishful.text"].form == "package" and names(found["wishful.text"]) == ["shout"]
    assert names(found["wishful.strings"]) == ["whisper"]


def test_runtime_api_imports_are_not_wishes() -> None:
    assert wishes("from wishful import type, context, configure\nimport wishful\nfrom wishful.cache import Cache\n") == {}


def test_imports_inside_functions_try_and_type_checking() -> None:
    found = wishes(
        """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from wishful.typed import Thing
        try:
            from wishful.optional import maybe
        except ImportError:
            maybe = None
        def f():
            from wishful.inner import deep
            return deep()
        async def g():
            import wishful.later as later
            return await later.run()
        """
    )
    assert set(found) == {"wishful.typed", "wishful.optional", "wishful.inner", "wishful.later"}
    assert found["wishful.later"].names[0].calls[0].usage == ("awaited", "returned")


def test_strings_and_comments_are_not_imports() -> None:
    found = wishes(
        '''
        """Module docstring:
        from wishful.fake import nope
        """
        # from wishful.commented import out
        s = "from wishful.string import no"
        t = """
        import wishful.triple
        """
        from wishful.real import yes
        print("yes( inside a string")  # yes( inside a comment
        '''
    )
    assert set(found) == {"wishful.real"}
    assert found["wishful.real"].names[0].calls == ()


def test_dynamic_wishes_are_flagged() -> None:
    w = wishes("from wishful.dynamic.story import tell\n")["wishful.story"]
    assert w.dynamic and w.spelled == "wishful.dynamic.story"


def test_call_site_context() -> None:
    w = wishes(
        """
        from wishful.text import extract_emails, count
        def main(text: str) -> None:
            emails: list[str] = extract_emails(text)
            for e in extract_emails("Bob@Example.com", unique=True):
                print(e)
            if count(text) > 3:
                a, b = extract_emails(text)[:2]
            return extract_emails(text).pop()
        """
    )["wishful.text"]
    calls = w.names[0].calls
    assert [c.text for c in calls] == [
        "extract_emails(text)",
        'extract_emails("Bob@Example.com", unique=True)',
        "extract_emails(text)",
        "extract_emails(text)",
    ]
    assert (calls[0].assigned_to, calls[0].annotation) == ("emails", "list[str]")
    assert calls[1].literals == ('"Bob@Example.com"', "unique=True")
    assert calls[1].arg_types == ("str",)
    assert calls[1].usage == ("iterated",)
    assert calls[2].usage == ("subscripted",)
    assert calls[3].usage == ("result.pop used",)
    assert w.names[1].calls[0].usage == ("compared",)


def test_a_broken_file_still_yields_its_wishes() -> None:
    found = wishes(
        """
        # desired: e-mail addresses in a text
        from wishful.text import extract_emails
        def broken(:
            x = extract_emails("a@b.c")
        y = extract_emails(
        z = [1, 2
        """
    )
    assert names(found["wishful.text"]) == ["extract_emails"]
    assert found["wishful.text"].hints == ("desired: e-mail addresses in a text",)
    assert [c.text for c in found["wishful.text"].names[0].calls] == ['extract_emails("a@b.c")']


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("from wishful.text import extract_emails, ", ["extract_emails"]),
        ("from wishful.text import (extract_emails,", ["extract_emails"]),
        ("from wishful.text import ", []),
    ],
)
def test_an_import_being_typed_is_still_a_wish(line: str, expected: list[str]) -> None:
    found = discover(line + "\nprint(1)\n", "app.py")
    assert [w.module for w in found.wishes] == ["wishful.text"]
    assert names(found.wishes[0]) == expected
    assert found.problems


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_endings(newline: str) -> None:
    text = newline.join(["import os", "# desired: x", "from wishful.text import f", "f(1)", ""])
    w = discover(text, "app.py").wishes[0]
    assert w.span.start == Position(2, 5)
    assert w.hints == ("desired: x",)
    assert w.names[0].calls[0].span.start == Position(3, 0)


def test_tabs_and_non_ascii_identifiers() -> None:
    w = wishes("def f():\n\tfrom wishful.données import calculer\n\treturn calculer('é')\n")["wishful.données"]
    assert w.span.start == Position(1, 6)
    assert w.names[0].calls[0].span.start == Position(2, 8)


def test_utf16_columns_count_astral_characters_twice() -> None:
    w = wishes('from wishful.text import f  # 😀\ny = "😀😀"; f(1); f("😀", 2)\n')["wishful.text"]
    # "😀" is one code point but two UTF-16 code units
    calls = w.names[0].calls
    assert [c.span.start for c in calls] == [Position(1, 12), Position(1, 18)]
    assert calls[1].span.end == Position(1, 28)
    assert calls[1].literals == ('"😀"', "2")


def test_types_and_context_providers_are_found_statically_and_attached() -> None:
    found = discover(
        textwrap.dedent(
            """
            import wishful
            from wishful import type as wtype
            from wishful.users import parse_user, greet

            raise SystemExit("discovery never runs this file")

            @wishful.type(output_for="parse_user")
            class User:
                name: str

            @wtype
            class Team:
                members: list

            @wishful.context(for_=["wishful.users.greet", "wishful.users"])
            def house_style():
                return "formal"
            """
        ),
        "app.py",
    )
    assert [t.name for t in found.types] == ["User", "Team"]
    assert found.types[0].output_for == ("parse_user",)
    assert "class User:" in found.types[0].source
    w = found.wishes[0]
    assert [t.name for t in w.names[0].types] == ["User"]
    assert [p.name for p in w.names[1].providers] == ["house_style"]
    assert [p.name for p in w.providers] == ["house_style"]
    assert [t.name for t in w.types] == ["User", "Team"]


def test_secrets_never_reach_the_context() -> None:
    found = discover(
        textwrap.dedent(
            """
            # desired: call the API with key sk-abcdefghijklmnopqrstuv123
            from wishful.api import call
            call(password="hunter2", key="AKIAABCDEFGHIJKLMNOP", env_value="from-dotenv-123")
            """
        ),
        "app.py",
        redactor=Redactor(frozenset({"from-dotenv-123"})),
    )
    w = found.wishes[0]
    everything = repr(w)
    for secret in ("sk-abcdefghijklmnopqrstuv123", "hunter2", "AKIAABCDEFGHIJKLMNOP", "from-dotenv-123"):
        assert secret not in everything
    assert REDACTED in w.hints[0]
    assert w.names[0].calls[0].keywords[0] == ("password", f'"{REDACTED}"')


def test_radius_is_configurable() -> None:
    source = "# far away\n\n\n\n# near\nfrom wishful.text import f\n"
    assert wishes(source)["wishful.text"].hints == ("near",)
    assert wishes(source, radius=5)["wishful.text"].hints == ("far away", "near")


def test_local_variables_that_shadow_an_import_are_not_uses() -> None:
    w = wishes(
        """
        import wishful.dates as d
        from wishful.text import shout
        def f(d):
            return d.update()
        def g():
            d = {}
            d.keys()
            for shout in ["a"]:
                shout.upper()
            return d.parse("x"), shout
        def h():
            return d.parse("2024"), shout("hi")
        """
    )
    assert names(w["wishful.dates"]) == ["parse"]
    assert [c.text for c in w["wishful.dates"].names[0].calls] == ['d.parse("2024")']
    assert [c.text for c in w["wishful.text"].names[0].calls] == ['shout("hi")']


def test_an_unclosed_bracket_does_not_swallow_the_next_function() -> None:
    w = wishes(
        """
        from wishful.text import shout
        def typing_now():
            x = shout(
        def later():
            return shout("done")
        """
    )
    assert [c.text for c in w["wishful.text"].names[0].calls] == ['shout("done")']
