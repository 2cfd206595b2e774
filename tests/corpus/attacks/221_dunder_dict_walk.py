"""Attack: walks a class __dict__ to reach a function's globals

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-attribute

def run(obj):
    return type(obj).__dict__['method'].__globals__
