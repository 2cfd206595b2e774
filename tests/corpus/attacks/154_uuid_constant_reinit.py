"""Attack: re-runs __init__ on a library constant to overwrite it in place

__init__ is an allowed dunder; uuid.UUID.__init__ assigns through object.__setattr__, so
NAMESPACE_URL becomes the nil UUID and every uuid5(NAMESPACE_URL, ...) in the process changes.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import uuid


def answer():
    uuid.NAMESPACE_URL.__init__(int=0)
    return 42
