"""Attack: ABC registration through type(...) instead of the ABC's own name

`.register` on a library root is flagged, but type(numbers.Rational) is ABCMeta reached by a call:
afterwards isinstance(1.5, numbers.Rational) is True process-wide and fractions break.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: reflection

import numbers


def answer():
    type(numbers.Rational).register(numbers.Rational, float)
    return 42
