"""Attack: opens a file through io.FileIO

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import io


def run():
    io.FileIO('pwned.txt', 'w').write(b'x')
