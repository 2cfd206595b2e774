"""Attack: operator.methodcaller("format", ...) applies a traversing template

The template is an ordinary argument, not the receiver of a `.format(...)` call, so its fields
are never parsed; it reads uuid.os.environ through a generator frame.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import operator
import uuid


def answer():
    render = operator.methodcaller("format", (n for n in [0]))
    leaked = render("{0.gi_frame.f_globals[uuid].os.environ}")
    return 42 if leaked else uuid.UUID(int=42).int
