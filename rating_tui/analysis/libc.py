"""glibc, for the two calls agreement makes to hand memory back to the system.

`malloc_trim` (`release_free_pages`: after reading, between items) and `mallopt`
(`map_large_arrays`: before a large table's statistics) change only the peak memory, never a
figure. Plain Python, no numpy: the command line trims before numpy
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


MMAP_THRESHOLD = 1 << 19
"""Arrays of this many bytes or more are mapped on their own while the statistics run (512
KiB: an item's 32-bit vectors of its sessions, 0.7 MiB at a million ratings, go back to the
system when freed too; against 1 MiB, about 1.5 MiB less at the peak there for 0.7 s more
system time, measured with the sums made by ranges)."""


def map_large_arrays() -> None:
    """Have glibc map every allocation of `MMAP_THRESHOLD` bytes or more on its own (mallopt
    M_MMAP_THRESHOLD), so that an item's large arrays go back to the system when freed. By
    default glibc raises that threshold once large blocks are freed (reading frees many),
    and the items' arrays then come from the heap, where the small objects each item keeps
    pin the freed pages: at a million ratings the process held 8 MiB more at its peak
    (with the sums then made whole). Only the memory and the
    system time differ, never a figure; a C library without mallopt (macOS, musl) is left
    as it is."""
    libc = glibc()
    if libc is not None:
        libc.mallopt(-3, MMAP_THRESHOLD)  # -3: M_MMAP_THRESHOLD


def release_free_pages() -> None:
    """Ask glibc to hand the heap's free pages back (malloc_trim), between items: each item
    frees its arrays but keeps small objects (its figures, the bootstrap's parts) among the
    freed pages, which then stayed resident under the next item's arrays; at a million
    ratings the process held about 1 MiB more per item than the parts waiting for the
    bootstrap (5 MiB more by the last of seven items). A few milliseconds of system time an
    item; only the memory differs, never a figure."""
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)
