"""Exchanging two names of a folder in one step: Linux's `renameat2(RENAME_EXCHANGE)`,
through ctypes (Python's `os` has no binding). `fileio._exchange` is the alias every exchange
of the store goes through (the power-loss simulation records it); `fileio._swap` uses it to put
a file in place of its previous version.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path

NO_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}
_libc: list[Callable[..., int]] = []
"""Linux's `renameat2` and ctypes' `get_errno`, looked up at the first exchange rather than
when the store is imported (Home's cold start imports this module)."""


def exchange_names(source: Path, target: Path) -> None:
    """`renameat2(..., RENAME_EXCHANGE)` of Linux's C library: swaps two names in one step;
    raises `OSError` as the `os` functions do (ENOSYS where the call does not exist)."""
    if not _libc:
        try:
            if not sys.platform.startswith("linux"):
                raise AttributeError
            import ctypes

            call = ctypes.CDLL(None, use_errno=True).renameat2
        except (OSError, AttributeError):
            raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS), str(target)) from None
        call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        call.argtypes += [ctypes.c_uint]
        call.restype = ctypes.c_int
        _libc[:] = [call, ctypes.get_errno]
    swap, get_errno = _libc
    cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    if swap(cwd, os.fsencode(source), cwd, os.fsencode(target), exchange) != 0:
        code = get_errno()
        raise OSError(code, os.strerror(code), str(target))
