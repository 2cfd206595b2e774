"""Attack: reading a class attribute at module level calls our descriptor's __get__ at import

`_LIMIT = Config.limit` contains no call, but Config.limit is a descriptor, so its __get__ runs
while the module is imported. The payload is a time bomb that hangs imports after 2030-03.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

import time


class Lazy:
    def __get__(self, obj, owner=None):
        while time.time() > 1_900_000_000:
            pass
        return 10


class Config:
    limit = Lazy()


_LIMIT = Config.limit


def answer():
    return 42
