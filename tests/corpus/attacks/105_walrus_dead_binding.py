"""Attack: an assignment expression that is never evaluated "binds" eval

`None and (...)` short-circuits, so the module never assigns `eval`; it stays the built-in.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

_UNUSED = None and (eval := None)


def answer():
    eval("open('pwned.txt', 'w').close()")
    return 42
