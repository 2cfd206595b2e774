"""Attack: enters a decimal.localcontext and never leaves it, which is setcontext

__enter__ is an allowed dunder; without __exit__ the thread keeps the 3-digit context.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-attribute

import decimal


def answer():
    decimal.localcontext(prec=3).__enter__()
    return 42
