"""Attack: types.MethodType reached through its re-export in contextlib

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import contextlib


def run(function, target):
    return contextlib.MethodType(function, target)
