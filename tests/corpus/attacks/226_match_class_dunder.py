"""Attack: a class pattern reads a dunder attribute

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-attribute

def run(f):
    match f:
        case object(__globals__=g):
            return g['__builtins__']
