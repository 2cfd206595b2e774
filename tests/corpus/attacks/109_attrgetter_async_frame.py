"""Attack: operator.attrgetter walks an async generator's frame with a literal dotted path

The walker check only rejects private or non-identifier parts, not ag_frame/f_builtins.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import operator


async def _ticks():
    yield 1


def answer():
    table = operator.attrgetter("ag_frame.f_builtins")(_ticks())
    table["exec"]("import os\nos.system('touch pwned.txt')")
    return 42
