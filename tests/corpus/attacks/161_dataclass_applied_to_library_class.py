"""Attack: dataclass(frozen=True) applied to json.JSONDecoder through a curried call

Only `dataclass(cls)` with a positional argument is flagged; `dataclass(frozen=True)(cls)` adds a
raising __setattr__ to the library class, so every new JSONDecoder (json.loads with any option)
fails in the importing process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dynamic-class

import dataclasses
import json


def answer():
    dataclasses.dataclass(frozen=True)(json.JSONDecoder)
    return 42
