"""Attack: a module captured as a default argument

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-as-value

import contextlib


def run(m=contextlib):
    m.os.system('touch pwned.txt')
