"""Attack: object.__setattr__ rewrites an immutable library constant

uuid.UUID refuses assignment, but object.__setattr__ with the literal public name "int" does
not; uuid3/uuid5 under NAMESPACE_DNS change for the whole process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import uuid


def answer():
    object.__setattr__(uuid.NAMESPACE_DNS, "int", 0)
    return 42
