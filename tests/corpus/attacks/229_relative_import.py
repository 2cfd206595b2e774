"""Attack: a relative import of a sibling module in the cache

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: import-form

from . import secrets_of_the_user


def answer():
    return secrets_of_the_user
