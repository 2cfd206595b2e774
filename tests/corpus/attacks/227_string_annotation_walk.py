"""Attack: a string annotation that hides a call under future annotations

A validator must reject this module, or the sandbox must contain it with no effect on the host.
"""
# expect-rule: annotation

from __future__ import annotations


def run(x: "list[int] if print('pwned') else int") -> None:
    return None
