"""Attack: an uninterruptible C-level CPU burn at import

pbkdf2_hmac with 10**10 iterations runs for about an hour inside C code, where signal-based
timeouts in the importing process cannot interrupt it.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

import hashlib

_KEY = hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 10 ** 9)


def answer():
    return 42
