"""Attack: positional class patterns read attributes listed in our own __match_args__

A metaclass whose __instancecheck__ accepts everything lets `case Frame(Builtins(t))` read
gi_frame and f_builtins of any subject; only keyword attributes of patterns are checked.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection


class _Anything(type):
    def __instancecheck__(cls, obj):
        return True


class Frame(metaclass=_Anything):
    __match_args__ = ("gi_frame",)


class Builtins(metaclass=_Anything):
    __match_args__ = ("f_builtins",)


def answer():
    match (n for n in [0]):
        case Frame(Builtins(table)):
            table["exec"]("import os\nos.system('touch pwned.txt')")
    return 42
