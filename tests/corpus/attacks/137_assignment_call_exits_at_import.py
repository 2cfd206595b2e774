"""Attack: an assignment whose value is a call runs arbitrary code at import

Assignments count as definitions, so `_READY = _shutdown()` passes the shape rule and kills the
importing (user's) process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name


def _shutdown():
    raise SystemExit(0)


_READY = _shutdown()


def answer():
    return 42
