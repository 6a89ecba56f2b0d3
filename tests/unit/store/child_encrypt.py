"""A process that encrypts a data folder and SIGKILLs itself at its KILL_AT-th fsync (run as a
script by test_encryption, not collected).

    child_encrypt.py DATA_DIR KILL_AT
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from rating_tui.store import fileio
from rating_tui.store.convert import encrypt_folder

CHEAP = {"n": 2**10, "r": 8, "p": 1}
"""A scrypt cost fit for tests (the real one is in crypto.SCRYPT)."""


def main() -> None:
    folder, kill_at = Path(sys.argv[1]), int(sys.argv[2])
    real = fileio._fsync
    calls = 0

    def fsync(fd: Any) -> None:
        nonlocal calls
        real(fd)
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    fileio._fsync = fsync
    encrypt_folder(folder, "correct horse", cost=CHEAP)
    print(f"done {calls}", flush=True)


if __name__ == "__main__":
    main()
