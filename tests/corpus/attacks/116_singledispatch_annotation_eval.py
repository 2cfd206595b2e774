"""Attack: functools.singledispatch.register evaluates a function's annotation

The annotation is a plain name (call-free), but its value is a string; register() hands it to
typing.get_type_hints, which evals it in the module namespace at import.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: annotation

import functools

_KIND = "open('pwned.txt', 'w').close() or int"


@functools.singledispatch
def render(value):
    return str(value)


@render.register
def _render_number(value: _KIND):
    return f"{value:,}"


def answer():
    return 42
