"""Attack: a helper patches whatever class it is given; it is given json.JSONDecoder

Writes are attributed to a library only when the written expression names it; through a
parameter the store looks local, and json.loads returns attacker data process-wide.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import json


def _fake_decode(self, text, *args, **kwargs):
    return {"pwned": True}


def _install(target):
    target.decode = _fake_decode


def answer():
    _install(json.JSONDecoder)
    return 42
