"""Attack: a module-level template extended with += is checked only in its first form

Only `NAME = "..."` assignments are collected as format strings; the augmented part traverses
a generator's frame to uuid.os.environ.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

import uuid

TEMPLATE = "{0!r}"
TEMPLATE += " {0.gi_frame.f_globals[uuid].os.environ}"


def answer():
    leaked = TEMPLATE.format(n for n in [0])
    return 42 if leaked else uuid.UUID(int=42).int
