"""Runs one `rating-tui` command in a child process that counts its fsyncs (run as a script
by the SIGKILL tests of whole commands; not collected).

    cli_child.py KILL_AT ARGS...

prints "fsync N" before its N-th fsync and, when N == KILL_AT (> 0), SIGKILLs itself there:
a crash inside the command's write, counted in file-system events rather than seconds. With
KILL_AT 0 the command runs to its end, then "fsyncs N" gives the total, so the test can choose
kill points that all fall inside the command.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from rating_tui import cli
from rating_tui.store import fileio


def main() -> None:
    kill_at = int(sys.argv[1])
    calls = 0
    real = fileio._fsync

    def fsync(fd: Any) -> None:
        nonlocal calls
        calls += 1
        print("fsync", calls, flush=True)
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        real(fd)

    fileio._fsync = fsync
    sys.argv = ["rating-tui", *sys.argv[2:]]
    try:
        cli.main()
    except SystemExit as exc:
        print("fsyncs", calls, "exit", exc.code, flush=True)
        raise
    print("fsyncs", calls, "exit", 0, flush=True)


if __name__ == "__main__":
    main()
