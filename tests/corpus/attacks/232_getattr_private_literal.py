"""Attack: getattr with a literal private name

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: reflection

import random


def run():
    return getattr(random, '_os')
