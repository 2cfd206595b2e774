"""Attack: clears urllib.parse.uses_relative through a module-level alias

The mutator call's receiver is a "local" name, so no library root is found; urljoin then
ignores the base URL for http/https in the whole process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import urllib.parse

SCHEMES = urllib.parse.uses_relative


def answer():
    SCHEMES.clear()
    return 42
