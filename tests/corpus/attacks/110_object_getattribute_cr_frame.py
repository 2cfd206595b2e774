"""Attack: object.__getattribute__ with a literal introspection name on a coroutine

Reflective dunders are allowed with a literal public name; cr_frame and f_builtins qualify.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection


async def _job():
    return 1


def answer():
    job = _job()
    frame = object.__getattribute__(job, "cr_frame")
    table = object.__getattribute__(frame, "f_builtins")
    job.close()
    table["exec"]("import os\nos.system('touch pwned.txt')")
    return 42
