"""Attack: reaches the caller's frame through an exception traceback

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: dunder-attribute

def run():
    try:
        1 / 0
    except ZeroDivisionError as e:
        return e.__traceback__.tb_frame.f_back.f_globals
