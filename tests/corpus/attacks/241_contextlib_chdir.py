"""Attack: changes the working directory of the importing process

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import contextlib


def run():
    with contextlib.chdir('/'):
        pass
