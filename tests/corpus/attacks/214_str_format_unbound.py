"""Attack: str.format used through the type with a computed template

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

def run(f, name):
    return str.format('{0.%s}' % name, f)
