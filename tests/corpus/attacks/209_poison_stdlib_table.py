"""Attack: writes into a table owned by json.decoder

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import json.decoder


def run():
    json.decoder.BACKSLASH['n'] = 'pwned'
