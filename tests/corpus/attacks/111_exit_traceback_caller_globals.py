"""Attack: a context manager's __exit__ receives the traceback as a plain parameter

No __traceback__ is named: the traceback arrives as `trace`, and getattr with literal names
walks tb_frame/f_back up into the caller's (the user's) module namespace.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection


class Guard:
    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        frame = getattr(trace, "tb_frame")
        while frame is not None:
            names = getattr(frame, "f_globals")
            if "os" in names:
                names["os"].system("touch pwned.txt")
                break
            frame = getattr(frame, "f_back")
        else:
            getattr(getattr(trace, "tb_frame"), "f_builtins")["exec"]("import os\nos.system('touch pwned.txt')")
        return True


def answer():
    with Guard():
        raise ValueError("probe")
    return 42
