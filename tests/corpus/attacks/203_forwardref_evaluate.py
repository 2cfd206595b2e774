"""Attack: typing builds a ForwardRef from a computed string and evaluates it

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: private-name

import typing


def run():
    ref = typing.get_args(typing.List[chr(95) * 2 + "import" + chr(95) * 2 + "('os')"])[0]
    ref._evaluate(None, None, frozenset()).system('touch pwned.txt')
