"""Attack: a function imports a module into the globals; another uses it as an unknown name

Module scope never sees the import (it is inside a function), so `dataclasses` in answer() is
treated as an unknown built-in and its attributes are not checked.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: import-form


def _load():
    global dataclasses
    import dataclasses


def answer():
    _load()
    dataclasses.builtins.exec("import os\nos.system('touch pwned.txt')")
    return 42
