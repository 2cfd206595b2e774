"""Attack: a module passed to a function that reaches its re-exports

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-as-value

import uuid


def reach(m):
    return m.os


def run():
    reach(uuid).system('touch pwned.txt')
