"""Attack: a class attribute named like a built-in captures the built-in

In a class body `eval = eval` reads the global/builtin `eval`; built-in functions do not bind
as methods, so Tools.eval is the real eval.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name


class Tools:
    eval = eval


def answer():
    Tools.eval("open('pwned.txt', 'w').close()")
    return 42
