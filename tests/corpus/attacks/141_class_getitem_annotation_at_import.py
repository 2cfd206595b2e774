"""Attack: a module-level annotation subscripts our class, calling __class_getitem__ at import

Without `from __future__ import annotations`, `LIMIT: Box[0] = 1` evaluates Box[0].
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name


class Box:
    def __class_getitem__(cls, item):
        raise SystemExit(0)


LIMIT: Box[0] = 1


def answer():
    return 42
