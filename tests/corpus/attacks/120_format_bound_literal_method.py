"""Attack: the bound .format of a traversing literal, stored without being called

`"{0.gi_frame.f_globals[uuid].os.environ}".format` is only an attribute, so its fields are never
checked; calling it later with a generator reads the environment through the frame.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

import uuid

SHOW = "{0.gi_frame.f_globals[uuid].os.environ}".format


def answer():
    leaked = SHOW(n for n in [0])
    return 42 if leaked else uuid.UUID(int=42).int
