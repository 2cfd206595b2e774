"""Attack: a call inside Literal[...] in an annotation is not checked and runs at import

The annotation check skips the contents of Literal[...]; parameter annotations are evaluated
when the def statement runs.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: annotation

from typing import Literal


def _boot():
    raise SystemExit(0)


def answer(mode: Literal[_boot()] = None):
    return 42
