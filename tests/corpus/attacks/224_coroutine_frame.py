"""Attack: reads a coroutine's frame

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection

async def work():
    return 1


def run():
    coro = work()
    return coro.cr_frame.f_globals
