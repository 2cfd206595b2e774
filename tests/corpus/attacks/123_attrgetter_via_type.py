"""Attack: the attrgetter class recovered with type() accepts a computed name

Only calls resolving to the name operator.attrgetter are checked; type(attrgetter("real"))
is the same class under an unchecked expression.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import operator
import uuid


def answer():
    walker = type(operator.attrgetter("real"))
    names = walker("_" * 2 + "globals" + "_" * 2)(answer)
    names["uuid"].os.system("touch pwned.txt")
    return 42
