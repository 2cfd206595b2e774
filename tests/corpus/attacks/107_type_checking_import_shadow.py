"""Attack: a TYPE_CHECKING-only import makes `eval` look like json.loads

The block never runs, so at run time `eval` is the built-in.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from json import loads as eval


def answer():
    eval("open('pwned.txt', 'w').close()")
    return 42
