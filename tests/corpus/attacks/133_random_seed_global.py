"""Attack: seeds the process-wide random generator

After import every random.* value in the user's process (tokens, shuffles, sampling) is
predictable.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import random

_SEEDED = random.seed(1234)


def answer():
    return 42
