"""Attack: a comprehension variable named like a builtin hides eval

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

def run(src):
    return [eval(s) for s in [src]]
