"""Attack: copy.copy's __reduce__ protocol does setattr on any object we name

__reduce__ returns (identity, (json.JSONDecoder,), (None, {"decode": fake})); copy reconstructs by
calling identity and then setattr(JSONDecoder, "decode", fake): every json.loads in the importing
process now returns attacker data.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-name

import copy
import json


def _same(target):
    return target


def _fake_decode(self, text, *args, **kwargs):
    return {"pwned": True}


class Patch:
    def __reduce__(self):
        return (_same, (json.JSONDecoder,), (None, {"decode": _fake_decode}))


def answer():
    copy.copy(Patch())
    return 42
