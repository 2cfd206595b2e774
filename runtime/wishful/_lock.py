"""A per-file lock that holds across processes (fcntl / msvcrt) and threads, reentrant.

The cache takes one per module while it writes, so concurrent generators serialize and a
generator can check "is it already there?" and write under the same lock. Readers never lock:
writes are atomic replacements, so a reader sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import _thread
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ._errors import CacheLockTimeout

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class _Held:
    __slots__ = ("rlock", "fd", "depth")

    def __init__(self) -> None:
        self.rlock = _thread.RLock()
        self.fd = -1
        self.depth = 0


_registry_guard = _thread.allocate_lock()
_registry: dict[str, _Held] = {}


@contextmanager
def hold(path: str, *, timeout: float = 60.0, what: str = "") -> Iterator[None]:
    """Hold the lock file ``path`` exclusively; raise :class:`CacheLockTimeout` after ``timeout``.

    Reentrant within a thread; other threads of the process and other processes wait.
    ``path``'s directory must exist. ``OSError`` from creating the lock file propagates.
    """
    key = os.path.abspath(path)
    with _registry_guard:
        held = _registry.setdefault(key, _Held())
    deadline = time.monotonic() + max(timeout, 0.0)
    if not held.rlock.acquire(timeout=max(timeout, 0.0)):
        raise _timeout(key, timeout, what)
    try:
        if held.depth == 0:
            fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                _acquire(fd, key, deadline, timeout, what)
            except BaseException:
                os.close(fd)
                raise
            held.fd = fd
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if held.depth == 0:
                fd, held.fd = held.fd, -1
                try:
                    _unlock(fd)
                finally:
                    os.close(fd)
    finally:
        held.rlock.release()


def _acquire(fd: int, key: str, deadline: float, timeout: float, what: str) -> None:
    delay = 0.001
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            raise _timeout(key, timeout, what)
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    try:  # record the holder, for the message another waiter may print
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        pass


def _timeout(key: str, timeout: float, what: str) -> CacheLockTimeout:
    holder = ""
    try:
        with open(key, encoding="ascii", errors="replace") as f:
            pid = f.read().strip()
        if pid.isdigit():
            holder = f" (held by process {pid})"
    except OSError:
        pass
    subject = f"{what} " if what else ""
    return CacheLockTimeout(
        f"timed out after {timeout:g}s waiting for the {subject}lock {key}{holder}; another "
        "wishful process is writing this module. Try again when it finishes."
    )
