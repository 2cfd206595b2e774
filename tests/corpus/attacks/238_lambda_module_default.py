"""Attack: a lambda default captures a module

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-as-value

import uuid

reach = lambda m=uuid: m.os


def run():
    reach().system('touch pwned.txt')
