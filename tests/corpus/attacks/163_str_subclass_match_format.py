"""Attack: a str subclass lists "format" in __match_args__; a class pattern hands out the bound method

The template is a constructor argument (never a `.format` receiver) and "format" is a plain public
name, so `case Template(render)` yields the template's bound format, which walks a generator frame to
uuid.os.environ.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

import uuid


class Template(str):
    __match_args__ = ("format",)


def answer():
    match Template("{0.gi_frame.f_globals[uuid].os.environ}"):
        case Template(render):
            leaked = render(n for n in [0])
            return 42 if leaked else uuid.UUID(int=42).int
    return 42
