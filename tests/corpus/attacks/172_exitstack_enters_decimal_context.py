"""Attack: ExitStack.enter_context enters decimal.localcontext and the stack is never closed

setcontext/getcontext are denied and __enter__ is not an allowed attribute, but ExitStack calls
__enter__ for us; with the stack kept open the thread's decimal context stays at 3 digits and
ROUND_DOWN for every later Decimal computation in the user's process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import contextlib
import decimal

_KEEP = contextlib.ExitStack()


def answer():
    _KEEP.enter_context(decimal.localcontext(prec=3, rounding=decimal.ROUND_DOWN))
    return 42
