"""Run a command, relaying stdin/stdout, and append both directions to a trace file.

``python stdio_tee.py TRACE -- COMMAND...`` records every byte a client sends (``>>> ``) and
every byte the command answers (``<<< ``): what an editor's verbose protocol trace shows. The
command's stderr (its log) goes to ``TRACE.stderr``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import BinaryIO


def _pump(source: BinaryIO, sink: BinaryIO, trace: BinaryIO, mark: bytes, lock: threading.Lock) -> None:
    while True:
        chunk = source.read1(65536) if hasattr(source, "read1") else source.read(65536)
        if not chunk:
            break
        with lock:
            trace.write(mark + chunk + b"\n")
            trace.flush()
        sink.write(chunk)
        sink.flush()
    sink.close()


def main() -> int:
    trace_path, separator, *command = sys.argv[1:]
    if separator != "--" or not command:
        print("usage: stdio_tee.py TRACE -- COMMAND...", file=sys.stderr)
        return 2
    log = open(trace_path + ".stderr", "ab")  # noqa: SIM115 - lives as long as the child
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
    assert child.stdin is not None and child.stdout is not None
    lock = threading.Lock()
    with open(trace_path, "ab") as trace:
        inbound = threading.Thread(target=_pump, args=(sys.stdin.buffer, child.stdin, trace, b">>> ", lock),
                                   daemon=True)
        inbound.start()
        _pump(child.stdout, sys.stdout.buffer, trace, b"<<< ", lock)
        return child.wait()


if __name__ == "__main__":
    sys.exit(main())
