"""Attack: `exec = exec` at module level re-exports the built-in under a "local" name

The right-hand side is looked up in the module, then in builtins, so the name keeps the built-in.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

exec = exec


def answer():
    exec("import os\nos.system('touch pwned.txt')")
    return 42
