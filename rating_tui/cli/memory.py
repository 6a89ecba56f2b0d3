"""Process memory for the analysis commands: glibc's allocation threshold and its trim.

Only the process's peak memory depends on these, never a figure.
"""

from __future__ import annotations

import contextlib
import gc
import sys


def map_large_allocations() -> None:
    """glibc maps each allocation of 64 KiB or more on its own and hands it back once freed
    (mallopt M_MMAP_THRESHOLD, -3): by default it raises that threshold to the largest block
    freed so far, and the statistics' arrays then come from the heap, whose freed parts stay
    resident (1-2.5 MiB of the 100k folders' peaks). Elsewhere: only the peak differs."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing done
            ctypes.CDLL("libc.so.6").mallopt(-3, 64 << 10)


def release_freed_memory() -> None:
    """Free what reading left behind, and ask the C library to hand freed heap pages back to
    the system (glibc's malloc_trim): reading 100,000 ratings leaves several MiB free but
    resident, and the statistics then grow on top of them. Reference cycles among the parsed
    months are collected first (about 6 MiB of the demo data's). A C library without
    malloc_trim (macOS, musl) keeps the pages: only the peak memory differs, never a figure."""
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        return
