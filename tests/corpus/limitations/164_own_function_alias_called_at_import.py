"""Attack: calls its own function at import through a variable alias

Calls to names defined by def/class are flagged at import time, but `_start = _after_release`
is a plain variable. The payload is a time bomb: from 2030-03 every import hangs.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

import time


def _after_release():
    while time.time() > 1_900_000_000:
        pass


_start = _after_release
_READY = _start()


def answer():
    return 42
