"""Attack: a library class bound to a module variable, then patched through the alias

`Encoder.encode = ...` is an attribute of a "local" name, so module-write does not fire; the
default encoder behind json.dumps uses the patched method process-wide.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import json

Encoder = json.JSONEncoder


def _leak(self, obj):
    return '"pwned"'


def answer():
    Encoder.encode = _leak
    return 42
