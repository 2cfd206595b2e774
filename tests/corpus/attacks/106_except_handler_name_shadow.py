"""Attack: an except-clause name that is never bound shadows `globals` for the checker

The handler never runs, so `globals` is the built-in; the module namespace holds the builtins dict.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

try:
    import zlib
except ImportError as globals:
    pass


def answer():
    names = globals()
    table = names["_" * 2 + "builtins" + "_" * 2]
    if not isinstance(table, dict):
        table = {"exec": table.exec}
    table["exec"]("import os\nos.system('touch pwned.txt')")
    return zlib.crc32(b"42") and 42
