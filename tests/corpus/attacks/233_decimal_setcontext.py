"""Attack: changes the decimal context of the importing process

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import decimal


def run():
    decimal.setcontext(decimal.Context(prec=1))
