"""Attack: object.__setattr__(self, ...) where `self` is just a parameter name

Only the spelling `self` is checked; the helper is called with a library constant, so
uuid.NAMESPACE_DNS becomes the nil UUID in the whole process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import uuid


def _normalise(self, value):
    object.__setattr__(self, "int", value)


def answer():
    _normalise(uuid.NAMESPACE_DNS, 0)
    return 42
