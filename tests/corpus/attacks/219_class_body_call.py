"""Attack: a class body that performs a call at import time

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

class Config:
    print('side effect at import')

    def answer(self):
        return 42
