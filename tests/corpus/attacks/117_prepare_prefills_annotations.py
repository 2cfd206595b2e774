"""Attack: a metaclass __prepare__ pre-fills __annotations__ with a field name dataclasses pastes into exec

No class body assigns __annotations__: the namespace arrives already holding it (computed key),
and @dataclass generates __eq__ source from the field names.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-name

from dataclasses import dataclass

_KEY = "_" * 2 + "annotations" + "_" * 2
_FIELD = "a,\"\"\")\n import os; os.system('touch pwned.txt')\n if 1:\n  z=(0"


class _Prefilled(type):
    @classmethod
    def __prepare__(mcls, name, bases, **kwargs):
        return {_KEY: {_FIELD: int}}


@dataclass(init=False, repr=False)
class Record(metaclass=_Prefilled):
    """A record."""


def answer():
    return 42
