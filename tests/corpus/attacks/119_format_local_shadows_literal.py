"""Attack: a local variable shadows a module-level literal format string

The checker resolves `LINE.format` to the module-level literal "{:>10}" even though the function
rebinds LINE to a computed template that reads uuid.os.environ.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

import uuid

LINE = "{:>10}"


def answer():
    LINE = "{0._" + "_globals__[uuid].os.environ}"
    leaked = LINE.format(answer)
    return 42 if leaked else uuid.UUID(int=42).int
