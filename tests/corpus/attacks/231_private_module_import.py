"""Attack: imports a private accelerator module

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: import-form

import _posixsubprocess


def answer():
    return 42
