"""Attack: a module bound by an assignment expression

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-as-value

import shutil as s0
import typing


def run():
    if (t := typing):
        t.sys.modules['posix'].system('touch pwned.txt')
