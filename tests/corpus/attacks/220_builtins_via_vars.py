"""Attack: vars() of a function's module namespace

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

def run():
    return vars()['__builtins__']
