"""Attack: a module bound as a class attribute, then reached through the class

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: import-form

class Box:
    import uuid


def run():
    Box.uuid.os.system('touch pwned.txt')
