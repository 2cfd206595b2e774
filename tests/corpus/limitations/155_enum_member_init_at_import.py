"""Attack: an Enum's __init__ runs for every member when the class statement executes

No call of our own code is written at top level: the enum machinery calls Level.__init__ at
import. The payload is a time bomb (hangs every import after 2030-03), invisible to a sandbox run
today.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-shape

import enum
import time


class Level(enum.Enum):
    LOW = 1
    HIGH = 2

    def __init__(self, value):
        while time.time() > 1_900_000_000:
            pass


def answer():
    return 42
