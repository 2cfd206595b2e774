"""Attack: rewrites a code object's names and rebuilds the function with type(answer)

types.FunctionType is denied under every name, but type(answer) is the same class; the code
object comes from a literal getattr, and code.replace(co_names=...) is a keyword, not an
attribute, so `placeholder` becomes exec without exec being written.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection


def _template():
    yield placeholder("import os\nos.system('touch pwned.txt')")


def answer():
    code = getattr(_template(), "gi_code").replace(co_names=("exec",))
    list(type(answer)(code, {})())
    return 42
