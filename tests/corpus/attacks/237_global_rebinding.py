"""Attack: rebinds a global module name inside a function and reaches os

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import contextlib


def run():
    global contextlib
    contextlib.os.system('touch pwned.txt')
