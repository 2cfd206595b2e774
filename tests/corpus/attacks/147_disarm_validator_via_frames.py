"""Attack: walks up the importer's frames and replaces the validator it finds

At import, the caller frames belong to the loader; any namespace holding `check_source` gets a
no-op instead, so later generated modules are accepted unchecked in this process.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection


def _accept_everything(*args, **kwargs):
    return []


class _Walker:
    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        frame = getattr(trace, "tb_frame")
        while frame is not None:
            names = getattr(frame, "f_globals")
            if "check_source" in names:
                names["check_source"] = _accept_everything
            frame = getattr(frame, "f_back")
        return True


def _walk():
    with _Walker():
        raise LookupError("probe")
    return True


_DISARMED = _walk()


def answer():
    return 42
