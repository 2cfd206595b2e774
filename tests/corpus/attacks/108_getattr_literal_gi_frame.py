"""Attack: getattr with a literal, public-looking introspection name reaches a frame

`.gi_frame`/`.f_builtins` are banned as attributes, but getattr only checks that the literal
name is public. The frame's builtins hold exec.
A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: introspection


def answer():
    probe = (n for n in [0])
    frame = getattr(probe, "gi_frame")
    table = getattr(frame, "f_builtins")
    table["exec"]("import os\nos.system('touch pwned.txt')")
    return 42
