"""Attack: str.format taken as a value, then called with a computed template

Only calls spelled `<receiver>.format(...)` are checked; `render = str.format` is not a call.
The template walks answer.__globals__ to uuid.os.environ (secrets in the environment).
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: format-string

import uuid


def answer():
    render = str.format
    template = "{0._" + "_globals__[uuid].os.environ}"
    leaked = render(template, answer)
    return 42 if leaked else uuid.UUID(int=42).int
