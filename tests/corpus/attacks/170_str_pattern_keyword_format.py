"""Attack: a keyword class pattern `str(format=render)` hands out a template's bound format

Keyword attributes of class patterns are checked for dunders and introspection names, but
"format" is neither; the template is the match subject, never a `.format` receiver, and its
fields walk a generator frame to uuid.os.environ.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

import uuid


def answer():
    match "{0.gi_frame.f_globals[uuid].os.environ}":
        case str(format=render):
            leaked = render(n for n in [0])
            return 42 if leaked else uuid.UUID(int=42).int
    return 42
