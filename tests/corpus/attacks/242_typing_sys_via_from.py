"""Attack: imports sys through typing with from-import

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

from typing import sys


def run():
    sys.modules['posix'].system('touch pwned.txt')
