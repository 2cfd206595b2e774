"""Attack: re-initialises a library constant through Base.__init__(self, ...) with a foreign self

`uuid.UUID.__init__(self, ...)` looks like a super-call; `self` is a parameter that receives
uuid.NAMESPACE_URL, which is overwritten in place.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import uuid


def _reset(self):
    uuid.UUID.__init__(self, int=1)


def answer():
    _reset(uuid.NAMESPACE_URL)
    return 42
