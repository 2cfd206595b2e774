"""Attack: registers float as a virtual numbers.Rational in the importing process

ABCMeta.register mutates the ABC's registry; afterwards isinstance(1.5, numbers.Rational) is
True everywhere and fractions.Fraction(1.5) breaks.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-write

import numbers


def answer():
    numbers.Rational.register(float)
    return 42
