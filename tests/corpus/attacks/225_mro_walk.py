"""Attack: walks the MRO to reach object and its subclasses

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection

def run():
    base = type(()).mro()[-1]
    return base
