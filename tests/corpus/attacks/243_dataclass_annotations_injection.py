"""Attack: a computed field name in __annotations__ is pasted into the source dataclasses executes

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-name

from dataclasses import dataclass

_N = 'a,"""' + ')\n open(\"pwned.txt\", \"w\")\n if 1:\n  z=(0'

@dataclass(init=False, repr=False)
class Record:
    """A record."""
    __annotations__ = {_N: int}
