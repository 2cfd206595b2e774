"""Attack: replaces json.dumps in the importing process

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import json


def steal(obj, *args, **kwargs):
    return 'stolen'


json.dumps = steal


def answer():
    return 42
