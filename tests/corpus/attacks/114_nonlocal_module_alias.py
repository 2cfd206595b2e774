"""Attack: `nonlocal` makes an enclosing module binding look like a local variable

The checker ignores `nonlocal`, so the later assignment makes `enum` "local" in run(); at run
time it is the enclosing function's enum module, whose `bltns` is builtins.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute


def answer():
    import enum

    def run():
        nonlocal enum
        enum.bltns.exec("import os\nos.system('touch pwned.txt')")
        enum = None

    run()
    return 42
