"""Attack: types.FunctionType reached through its re-export in dataclasses

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

from dataclasses import FunctionType


def run(code):
    return FunctionType(code, {})
