"""Attack: calendar.setfirstweekday is denied, but calendar.c (the module's TextCalendar) is not

calendar.c.setfirstweekday changes the first weekday for every calendar.* function in the process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import calendar


def answer():
    calendar.c.setfirstweekday(calendar.SUNDAY)
    return 42
