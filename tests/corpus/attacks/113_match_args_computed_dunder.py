"""Attack: __match_args__ built at run time names a dunder; the pattern reads it

The dunder is assembled from unicodedata.lookup('LOW LINE'), so no dunder literal appears;
`case Namespace(names)` then reads answer.__globals__ and reaches uuid.os.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: reflection

import unicodedata
import uuid

_LOW = unicodedata.lookup("LOW LINE") * 2


class _Anything(type):
    def __instancecheck__(cls, obj):
        return True


class Namespace(metaclass=_Anything):
    __match_args__ = (_LOW + "globals" + _LOW,)


def answer():
    match answer:
        case Namespace(names):
            names["uuid"].os.system("touch pwned.txt")
    return uuid.UUID(int=42).int
