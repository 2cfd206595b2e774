"""Attack: raises SystemExit while being imported

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

raise SystemExit(3)


def answer():
    return 42
