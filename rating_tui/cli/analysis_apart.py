"""One data folder read in a child process, its session tables handed back (Linux only).

Reading a folder imports the store and the export's modules (6 MiB), opens the folder, reads
its instruments and parses every month's records: at a million ratings the reading peaks
about 20 MiB above the session table it leaves, and once that is freed the process keeps
about 8 MiB of it (Python's small-object arenas pinned by a few survivors, freed heap glibc
does not hand back even after `malloc_trim`), on which numpy and the statistics then grow.
Read in a forked child (`analysis_read._read_apart`), all of that goes with the child: the
parent receives the finished tables (arrays written to an unnamed temporary file as they
are, the rest pickled)
and holds only them. The child's own peak is the reading's, as before, and counts in the
command's peak memory as any child's does (`/usr/bin/time` reports the largest max RSS of a
command and its children).

Nothing else changes: the child runs the very read the parent would, and hands back the read
folder's warnings with the tables. Whenever it does not finish cleanly (an error, anything
written to stdout or stderr, a signal, a result cut short), the parent reads the folder itself
as before, so every error and message is the parent's own and appears once. Elsewhere than
Linux (no fork to rely on, no `malloc_trim` to compare with), and under
`RATING_TUI_READ_APART=0`, the parent reads.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import sys
import tempfile
from array import array
from collections.abc import Callable
from typing import IO, Any, TypeVar

_T = TypeVar("_T")

ENV = "RATING_TUI_READ_APART"
"""Set to 0 to read in the command's own process."""


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and os.environ.get(ENV) != "0"


def read_apart(read: Callable[[], _T], meanwhile: Callable[[], object] | None = None) -> _T | None:
    """`read()` run in a forked child and its result received here, `meanwhile()` called
    here while the child reads; None when the child did not finish cleanly (the caller then
    reads in this process). The child writes the result to an unnamed temporary file, read
    here once it has ended: through a pipe, the two took turns every 64 kB, and on a busy
    machine each turn waited for the scheduler (0.5 s at 100,000 ratings)."""
    if not available():
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        said = tempfile.TemporaryFile()  # noqa: SIM115  (closed below)
        tables = tempfile.TemporaryFile()  # noqa: SIM115  (closed below)
    except OSError:
        return None
    with said, tables:
        try:
            pid = os.fork()
        except OSError:  # no process to spare: read here
            return None
        if pid == 0:  # the child: never returns
            _child(read, tables.fileno(), said.fileno())
        try:
            if meanwhile is not None:
                meanwhile()
        except Exception:  # noqa: BLE001  (the caller does it again, and says why)
            pass
        finally:
            _, status = os.waitpid(pid, 0)
        if status != 0 or os.fstat(said.fileno()).st_size:
            return None  # what it said (and any error) the parent's own read says again
        try:
            tables.seek(0)
            found: _T = _received(tables)
        except Exception:  # noqa: BLE001  (cut short: read here instead)
            return None
        return found


def _child(read: Callable[[], Any], tables: int, said: int) -> None:
    # No cyclic collection in the child: it would walk (and so copy, page by page) every
    # object the parent had; the reading makes no cycles, and the child's memory goes with it.
    gc.disable()
    code = 1
    try:
        os.dup2(said, 1)
        os.dup2(said, 2)
        sys.stdout = sys.stderr = open(said, "w", closefd=False)  # noqa: SIM115
        found = read()
        with open(tables, "wb", closefd=False) as out:
            _send(found, out)
        code = 0
    except BaseException:  # noqa: BLE001  (the parent reads again, and says why)
        pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)  # no exit handlers: they belong to the parent


def _send(found: object, out: IO[bytes]) -> None:
    """The pickled result with each `array` left out, then those arrays' bytes in order."""
    arrays: list[array[Any]] = []
    index: dict[int, int] = {}

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            if type(obj) is not array:
                return None
            at = index.get(id(obj))
            if at is None:
                at = index[id(obj)] = len(arrays)
                arrays.append(obj)
            return (at, obj.typecode, len(obj))

    skeleton = _Buffer()
    Pickler(skeleton, protocol=pickle.HIGHEST_PROTOCOL).dump(found)
    data = b"".join(skeleton.parts)
    out.write(len(data).to_bytes(8, "little"))
    out.write(data)
    for values in arrays:
        values.tofile(out)


def _received(file: IO[bytes]) -> Any:
    """What `_send` wrote: each array read from the file straight into its own."""
    size = int.from_bytes(_exactly(file, 8), "little")
    data = _exactly(file, size)
    loaded: list[array[Any]] = []

    class Unpickler(pickle.Unpickler):
        def persistent_load(self, pid: object) -> object:
            if not isinstance(pid, tuple) or len(pid) != 3:
                raise pickle.UnpicklingError("not an array's id")
            at: int = pid[0]
            typecode: str = pid[1]
            length: int = pid[2]
            if at < len(loaded):
                return loaded[at]
            if at != len(loaded):
                raise pickle.UnpicklingError("arrays out of order")
            values = array(typecode, [0]) * length  # the array itself, no bytes beside it
            _fill(file, memoryview(values).cast("B"))
            loaded.append(values)
            return values

    return Unpickler(io.BytesIO(data)).load()


def _fill(file: IO[bytes], into: memoryview) -> None:
    """Read from the file straight into `into` (a bytes object as large as the array, read
    first and copied, would leave freed heap behind: glibc keeps it)."""
    done = 0
    while done < len(into):
        got = file.readinto(into[done:])  # type: ignore[attr-defined]
        if not got:
            raise EOFError("the reading process stopped short")
        done += got


def _exactly(file: IO[bytes], size: int) -> bytes:
    data = file.read(size)
    if len(data) != size:
        raise EOFError("the reading process stopped short")
    return data


class _Buffer:
    """A file to pickle into, keeping the written parts (no copy as a BytesIO grows)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)
