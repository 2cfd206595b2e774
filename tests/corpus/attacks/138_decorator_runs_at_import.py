"""Attack: a decorator of our own runs its body when the module is imported

The decorator is an ordinary function; applying it is a call at import time. Here it seeds the
process-wide random generator before returning the function unchanged.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import random


def registered(function):
    random.seed(0)
    return function


@registered
def answer():
    return 42
