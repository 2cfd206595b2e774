"""Attack: a descriptor's __set_name__ runs when the class body is turned into a class

`field = Tracked()` is an attribute assignment; type() then calls Tracked.__set_name__.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name


class Tracked:
    def __set_name__(self, owner, name):
        raise SystemExit(0)

    def __get__(self, obj, owner=None):
        return 42


class Config:
    field = Tracked()


def answer():
    return Config().field
