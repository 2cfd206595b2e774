"""Attack: calendar.main() runs argparse, whose errors call sys.exit

SystemExit is banned as a name, but an argument error inside calendar.main terminates the user's
process all the same (and prints usage to its stderr).
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: module-attribute

import calendar


def answer():
    calendar.main(["calendar", "--locale", "C"])
    return 42
