"""Attack: a bare annotation makes `open` look like a module variable

`open: object` binds nothing at run time, so `open` inside answer() is still the built-in.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

open: object


def answer():
    with open('pwned.txt', 'w') as stream:
        stream.write('x')
    return 42
