"""Attack: operator.methodcaller with a computed method name

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import operator


def run(obj):
    return operator.methodcaller('__redu' + 'ce_ex__', 2)(obj)
