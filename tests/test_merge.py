"""Merge, not overwrite: hand edits, comments and other functions survive byte for byte."""

from __future__ import annotations

import pytest

from wishful_lsp.engine.merge import MergeError, merge, subset

HAND_EDITED = '''"""Text helpers."""

import re

# my own tweak: also accept plus-addressing
_EMAIL = re.compile(r"[\\w.+-]+@[\\w-]+\\.[\\w.]+")


def extract_emails(text):
    # hand edit: keep the original case
    return _EMAIL.findall(text)


def my_helper():  # written by hand
    return 42
'''

GENERATED = '''"""Generated."""

import re
import unicodedata
from collections import Counter

_WORD = re.compile(r"[a-z0-9]+")


def extract_emails(text):
    return ["generated"]


def slugify(title: str) -> str:
    """Slug."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(_WORD.findall(ascii_title.lower()))


def unused():
    return Counter()
'''


def test_adding_a_name_keeps_everything_else_byte_for_byte() -> None:
    result = merge(HAND_EDITED, GENERATED, ["extract_emails", "slugify"])
    assert result.added == ("slugify",) and result.replaced == ()
    assert result.code.startswith(HAND_EDITED.replace("\nimport re\n", "\nimport re\nimport unicodedata\n").rstrip("\n"))
    assert "def slugify(title: str) -> str:" in result.code
    assert "_WORD = re.compile" in result.code  # the helper it needs
    assert "def unused" not in result.code and "Counter" not in result.code
    assert result.code.count("def extract_emails") == 1
    assert "return ['generated']" not in result.code and '["generated"]' not in result.code
    compile(result.code, "merged", "exec")


def test_regenerating_one_name_replaces_only_that_definition() -> None:
    result = merge(HAND_EDITED, GENERATED, ["extract_emails"], replace=["extract_emails"])
    assert result.replaced == ("extract_emails",)
    assert 'return ["generated"]' in result.code
    assert "# hand edit" not in result.code
    assert "# my own tweak: also accept plus-addressing" in result.code
    assert "def my_helper():  # written by hand\n    return 42\n" in result.code
    assert result.code.count("_EMAIL = re.compile") == 1


def test_new_module_takes_the_generated_code_whole() -> None:
    assert merge(None, GENERATED, ["slugify"]).code == GENERATED


def test_crlf_modules_stay_crlf() -> None:
    existing = HAND_EDITED.replace("\n", "\r\n")
    result = merge(existing, GENERATED, ["slugify"])
    assert result.code.startswith(existing.split("import re")[0])
    assert "\r\n" in result.code and "\n" not in result.code.replace("\r\n", "")


def test_existing_module_with_a_syntax_error_is_not_touched() -> None:
    with pytest.raises(MergeError, match="does not parse"):
        merge("def broken(:\n", GENERATED, ["slugify"])


def test_generated_code_with_a_syntax_error() -> None:
    with pytest.raises(SyntaxError):
        merge(HAND_EDITED, "def slugify(:\n", ["slugify"])


def test_subset_keeps_docstring_imports_and_helpers() -> None:
    code = subset(GENERATED, ["slugify"])
    assert code.startswith('"""Generated."""\n\nimport re\nimport unicodedata\n')
    assert "_WORD" in code and "extract_emails" not in code and "Counter" not in code
    compile(code, "subset", "exec")
