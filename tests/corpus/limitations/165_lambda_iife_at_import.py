"""Attack: an immediately-invoked lambda runs its own code at import

The callee is a lambda expression, not a defined name, and the lambda body is treated as not
running at import. The payload is a time bomb that hangs imports after 2030-03.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

import time


def _after_release():
    while time.time() > 1_900_000_000:
        pass


_READY = (lambda: _after_release())()


def answer():
    return 42
