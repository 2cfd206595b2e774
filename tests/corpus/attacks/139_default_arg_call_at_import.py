"""Attack: a default argument value is a call evaluated when the def statement runs

The default is computed once, at import, and exits the process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name


def _boot():
    raise SystemExit(0)


def answer(limit=_boot()):
    return 42
