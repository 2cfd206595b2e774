"""Attack: a format string built at run time traverses attributes

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

def run(f):
    template = '{0.' + '_' * 2 + 'globals' + '_' * 2 + '}'
    return template.format(f)
