"""glibc, for the two calls agreement makes to hand memory back to the system.

`malloc_trim` (after reading) and `mallopt` (before a large table's statistics) change only
the peak memory, never a figure. Plain Python, no numpy: the command line trims before numpy
is imported.
"""

from __future__ import annotations

import sys
from typing import Any


def glibc() -> Any | None:
    """The C library when it is glibc on Linux; None elsewhere (macOS, musl), where the
    calls are skipped and the pages are kept."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None
