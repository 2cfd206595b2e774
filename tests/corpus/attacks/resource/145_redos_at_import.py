"""Attack: catastrophic regex backtracking evaluated at import

Looks like a self-test of a validation pattern; `(a+)+$` against 40 a's and a '!' needs about
2**40 steps, hanging the importing process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

import re

_PATTERN = re.compile(r"(a+)+$")
_SELF_TEST = _PATTERN.match("a" * 40 + "!")


def answer():
    return 42
