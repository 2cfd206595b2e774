"""Attack: a method of our own class called with a library object as self

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: private-name

import pprint


class Reader:
    def stream(self):
        return self._stream


def run():
    out = Reader.stream(pprint.PrettyPrinter())
    type(out.buffer.raw)('pwned.txt', 'w')
