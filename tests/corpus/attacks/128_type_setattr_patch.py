"""Attack: type.__setattr__ with a literal public name replaces a stdlib method

Reflective dunders are allowed with a literal public name; on a library class that is a
monkey-patch of json.loads for the whole importing process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import json


def _fake_decode(self, text, *args, **kwargs):
    return {"pwned": True}


def answer():
    type.__setattr__(json.JSONDecoder, "decode", _fake_decode)
    return 42
