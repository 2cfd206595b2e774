"""Attack: re-runs __init__ on decimal.DefaultContext, the template of every new thread's context

No assignment is written; calling the allowed __init__ dunder mutates the shared object.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import decimal


def answer():
    decimal.DefaultContext.__init__(prec=3, rounding=decimal.ROUND_DOWN)
    return 42
