"""Attack: reads a generator's code object

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection

def run():
    gen = (x for x in [1])
    return gen.gi_code.co_consts
