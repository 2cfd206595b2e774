"""Attack: a fallback branch that never runs "binds" exec and compile

The except branch only executes if json cannot be imported, so both names stay built-ins.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name

try:
    from json import JSONDecodeError
except ImportError:
    JSONDecodeError = ValueError
    compile = None
    exec = None


def answer():
    exec(compile("import os\nos.system('touch pwned.txt')", "<config>", "exec"))
    return 42
