"""Attack: a decorator expression that runs code at import

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

import os


print(os.environ)


def answer():
    return 42
