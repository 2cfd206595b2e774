"""Attack: map applies getattr with computed names

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: reflection

def run(obj):
    names = ['__glo' + 'bals__']
    return list(map(getattr, [obj], names))
