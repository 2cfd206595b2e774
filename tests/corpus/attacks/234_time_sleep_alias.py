"""Attack: sleeps through an alias imported from time

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

from time import sleep as pause


def run():
    pause(3600)
