"""Attack: __init_subclass__ runs when a subclass statement executes at import

Class statements are definitions, but creating Child calls Base.__init_subclass__.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name


class Base:
    def __init_subclass__(cls, **kwargs):
        raise SystemExit(0)


class Child(Base):
    pass


def answer():
    return 42
