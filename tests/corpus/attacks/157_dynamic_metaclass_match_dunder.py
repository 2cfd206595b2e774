"""Attack: classes built with type.__call__ carry computed __instancecheck__ and __match_args__

The class-statement checks (denied dunder definitions, literal __match_args__) never see a
namespace passed as a dict; only `type(...)` and library metaclasses called by name are flagged.
The pattern then reads answer.__globals__ and reaches uuid.os.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-attribute

import uuid

_D = "_" * 2


def _accept(cls, obj):
    return True


_Meta = type.__call__(type, "Meta", (type,), {_D + "instancecheck" + _D: _accept})
Namespace = type.__call__(_Meta, "Namespace", (), {_D + "match_args" + _D: (_D + "globals" + _D,)})


def answer():
    match answer:
        case Namespace(names):
            names["uuid"].os.system("touch pwned.txt")
    return uuid.UUID(int=42).int
