"""Attack: a dynamic class carries a computed __annotations__; a curried dataclass() pastes it into exec

type.__call__(type, ...) builds the class from a dict (no class body for the __annotations__ check
to see), and dataclass(init=False, repr=False)(Shim) is a call on a call, not dataclass(cls); the
field name closes the generated __eq__ source and adds a statement.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dynamic-class

import dataclasses

_D = "_" * 2
_FIELD = "a,\"\"\")\n import os; os.system('touch pwned.txt')\n if 1:\n  z=(0"


def answer():
    shim = type.__call__(type, "Shim", (), {_D + "annotations" + _D: {_FIELD: int}, _D + "doc" + _D: "x"})
    dataclasses.dataclass(init=False, repr=False)(shim)
    return 42
