"""Attack: dunder names smuggled as bytes

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-string

def run(obj):
    name = b'__class__'.decode()
    return name
