"""Attack: functools.update_wrapper copies a computed attribute name onto our object

update_wrapper does getattr(wrapped, name) / setattr(wrapper, name, value) for every name in
`assigned`; our __setattr__ captures answer.__globals__.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: reflection

import functools
import uuid

_SEEN = {}


class _Sink:
    def __setattr__(self, name, value):
        _SEEN[name] = value


def answer():
    functools.update_wrapper(_Sink(), answer, assigned=["_" * 2 + "globals" + "_" * 2], updated=[])
    for value in _SEEN.values():
        if isinstance(value, dict) and "uuid" in value:
            value["uuid"].os.system("touch pwned.txt")
    return uuid.UUID(int=42).int
