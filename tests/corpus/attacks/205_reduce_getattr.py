"""Attack: functools.reduce walks dunders with getattr passed as a value

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: reflection

import functools


def run():
    chain = ['__cl' + 'ass__', '__ba' + 'se__', '__subcl' + 'asses__']
    return functools.reduce(getattr, chain, ())()
