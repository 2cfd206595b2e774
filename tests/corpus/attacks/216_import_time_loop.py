"""Attack: burns CPU at import time with a top-level loop

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

total = 0
for i in range(10 ** 12):
    total += i


def answer():
    return 42
