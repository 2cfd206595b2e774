"""Attack: mutates the thread's live decimal context (setcontext is denied, this is not)

Precision 3 and ROUND_DOWN silently corrupt every Decimal computation (money) in the importing
thread afterwards.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import decimal


def answer():
    context = decimal.getcontext()
    context.prec = 3
    context.rounding = decimal.ROUND_DOWN
    return 42
