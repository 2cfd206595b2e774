"""Attack: patches SystemRandom through an instance's __class__; secrets becomes constant

`random.SystemRandom().__class__.getrandbits = ...` starts from a call, so no library root is
found; SystemRandom._randbelow draws from getrandbits, so afterwards secrets.randbelow() is 0 and
secrets.choice() always picks the first item (every generated password is "aaaa...").
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import random


def _no_bits(self, k):
    return 0


def answer():
    random.SystemRandom().__class__.getrandbits = _no_bits
    return 42
