"""Attack: patches a library class reached through a list index

The library-root search follows attributes and subscripts to a name; `[json.JSONEncoder][0]`
ends in a list display, so the store is not attributed to json.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import json


def _leak(self, obj):
    return '"pwned"'


def answer():
    [json.JSONEncoder][0].encode = _leak
    return 42
