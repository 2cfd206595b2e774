# coding: unicode_escape
"""Attack: a unicode_escape coding cookie turns an escape in a comment into a newline

As a str the comment is inert; loaded from disk, the file is decoded with unicode_escape and the
escape below becomes a line break followed by a real statement.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: encoding

VERSION = 1  # \x0aimport os; os.system('touch pwned.txt')


def answer():
    return 42
