"""Attack: builds a function from a code object with types.FunctionType

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import types


def run(code):
    return types.FunctionType(code, {})
