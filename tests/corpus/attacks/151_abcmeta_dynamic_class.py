"""Attack: a class built by calling a metaclass (abc.ABCMeta) with a computed namespace

Only `type(...)` with three arguments is flagged; ABCMeta is a type subclass and takes the same
(name, bases, namespace) triple, with dunder keys built at run time.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dynamic-class

import abc


def answer():
    key = "_" * 2 + "init_subclass" + "_" * 2
    shim = abc.ABCMeta("Shim", (), {key: classmethod(lambda cls: None)})
    return 42 if shim else 0
