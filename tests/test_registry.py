"""The runtime registries behind @wishful.type and @wishful.context(for_=...)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

import wishful
from wishful import InvalidWishName, _registry


@pytest.fixture(autouse=True)
def empty_registries() -> Iterator[None]:
    _registry._reset()
    yield
    _registry._reset()


def test_type_registers_and_returns_the_class() -> None:
    @wishful.type
    @dataclass
    class Email:
        address: str

    @wishful.type(output_for=["parse_user", "wishful.users.load"])
    class User:
        pass

    assert Email.__name__ == "Email" and Email("a@b").address == "a@b"
    names = [e.name for e in wishful.registered_types()]
    assert names == [f"{__name__}.{Email.__qualname__}", f"{__name__}.{User.__qualname__}"]
    assert [e.cls for e in wishful.types_for("parse_user")] == [User]
    assert [e.cls for e in wishful.types_for("wishful.users.load")] == [User]
    assert [e.cls for e in wishful.types_for("wishful.users.parse_user")] == [User]
    assert wishful.types_for("unrelated") == []


def test_registering_again_replaces() -> None:
    class Thing:
        pass

    wishful.type(Thing)
    wishful.type(output_for="make")(Thing)
    assert len(wishful.registered_types()) == 1
    assert wishful.registered_types()[0].output_for == ("make",)


def test_type_refuses_non_classes() -> None:
    with pytest.raises(TypeError, match="decorates classes"):
        wishful.type(len)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="non-empty strings"):
        wishful.type(output_for=[""])


def test_context_providers_for_modules_and_functions() -> None:
    @wishful.context(for_="wishful.text")
    def house_style() -> str:
        return "lower-case everything"

    @wishful.context(for_=["wishful.static.text.slugify", "wishful.other"])
    def slug_rules() -> str:
        return "hyphens, not underscores"

    assert house_style() == "lower-case everything"
    assert [p.func for p in wishful.context_providers("wishful.text.extract_emails")] == [house_style]
    assert [p.func for p in wishful.context_providers("wishful.text.slugify")] == [house_style, slug_rules]
    assert [p.func for p in wishful.context_providers("wishful.static.text.slugify")] == [house_style, slug_rules]
    assert [p.func for p in wishful.context_providers("wishful.other.x")] == [slug_rules]
    assert wishful.context_providers("wishful.unrelated.f") == []


def test_context_needs_valid_targets() -> None:
    with pytest.raises(TypeError):
        wishful.context()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="at least one"):
        wishful.context(for_=[])
    with pytest.raises(InvalidWishName):
        wishful.context(for_="wishful.class.f")
    with pytest.raises(TypeError, match="decorates a function"):
        wishful.context(for_="wishful.text")(42)  # type: ignore[arg-type]


def test_type_is_not_star_exported() -> None:
    namespace: dict[str, object] = {}
    exec("from wishful import *", namespace)
    assert "type" not in namespace and "configure" in namespace
