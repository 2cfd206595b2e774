"""Attack: a star import hides which names arrive

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: import-form

from uuid import *


def run():
    return os.system('touch pwned.txt')
