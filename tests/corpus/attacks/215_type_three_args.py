"""Attack: a class built by type() with computed dunder keys

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dynamic-class

def run():
    key = '__init_' + 'subclass__'
    return type('X', (), {key: classmethod(lambda cls: None)})
