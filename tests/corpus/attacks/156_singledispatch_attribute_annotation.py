"""Attack: an annotation that is a class attribute holding a string, evaluated by singledispatch

Annotation names are checked for non-type values, but `Config.KIND` is an attribute; register()
passes the string to typing.get_type_hints, which evals it when answer() registers the overload.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: annotation

import functools


class Config:
    KIND = "open('pwned.txt', 'w').close() or int"


@functools.singledispatch
def render(value):
    return str(value)


def _render_number(value: Config.KIND):
    return f"{value:,}"


def answer():
    render.register(_render_number)
    return 42
