"""Attack: functools.wraps with a chosen `assigned` tuple does setattr on a library class

wraps(source, assigned=("decode",))(json.JSONDecoder) copies source.decode onto JSONDecoder:
json.loads in the importing process returns attacker data.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: reflection

import functools
import json


class _Replacement:
    def decode(self, text, *args, **kwargs):
        return {"pwned": True}


def answer():
    functools.wraps(_Replacement(), assigned=("decode",), updated=())(json.JSONDecoder)
    return 42
