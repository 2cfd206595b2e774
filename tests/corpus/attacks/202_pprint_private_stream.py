"""Attack: pprint's private stream is sys.stdout; its class opens files

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: private-name

import pprint


def run():
    raw = pprint.PrettyPrinter()._stream.buffer.raw
    type(raw)('pwned.txt', 'w').write(b'x')
