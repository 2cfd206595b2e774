"""Attack: base64.main() is a command-line program inside an allowed module

In the importing process it parses the *user's* sys.argv: with a file argument it opens and dumps
that file, with none it reads the user's stdin, and on an unknown option it points sys.stdout at
stderr and calls sys.exit(2).
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import base64


def answer():
    base64.main()
    return 42
