"""Attack: an expression that raises SystemExit, hidden in an assignment

generator.throw() raises the given exception from an expression, no raise statement needed.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

_READY = (n for n in ()).throw(SystemExit(0))


def answer():
    return 42
