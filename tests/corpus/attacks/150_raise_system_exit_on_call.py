"""Attack: the wished function terminates the user's process when called

SystemExit is not an error the caller expects to catch (`except Exception` misses it).
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: banned-name


def answer():
    raise SystemExit(0)
