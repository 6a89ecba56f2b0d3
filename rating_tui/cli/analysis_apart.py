"""Agreement's ratings read in a forked child process (`read_apart`), which hands the session
tables back through a pipe and ends.

What reading needs and the statistics never do goes with the child: the store's, the
instruments' and the ratings' modules (the pydantic models: about 14 MiB), and what parsing a
month at a time leaves in the heap. This process waits while the child reads (it imports
nothing meanwhile), so the memory the two hold at once (the sum of their proportional set
sizes) is the child's reading on top of what they shared at the fork: what reading here held.

Before the fork the parent collects its garbage, hands its free heap pages back and freezes
its objects (`gc.freeze`, as Python's documentation advises before a fork without exec):
the child's collections then never write into them, and fewer of the pages the two share
are copied as the child writes. At a million ratings, idle, the two held 79.8 MiB at once
(proportional set sizes summed over both), 78.7 frozen, 77.6 with the collection and the
trim first: the pages the child still copies are those it writes (reference counts, the
heap's free lists), about 9 MiB. The parent unfreezes its objects once the child is made.

The tables are sent as a small pickle of their structure followed by their large buffers
(`array.array`s: row numbers, codes, values), each written raw and then emptied in the child
and its memory handed back, while this process reads it straight into an array of its own:
the tables are never held twice over in full, by the child and here at once (a plain pickle
was: 121.5 MiB summed at a million ratings, against 96.6 read here).

The child's messages (an error, a warning printed as it reads) go to the same stderr; an
error there ends this command with the child's exit status, and a child that ends without
its tables (killed, out of memory) is said in words, never taken as no data.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import struct
import sys
from array import array
from typing import IO, TYPE_CHECKING, Any

import typer

from rating_tui.analysis.libc import release_free_pages
from rating_tui.cli import analysis_read
from rating_tui.cli.errors import fail

if TYPE_CHECKING:
    from rating_tui.analysis.sessiontable import Collected
    from rating_tui.cli.analysis_read import Filters

Read = tuple["Collected", list[str | None]]
RAW_FROM_BYTES = 1 << 16
"""Arrays of this many bytes or more are sent raw after the pickle, and emptied once sent."""
CHUNK = 1 << 20
"""Bytes of an array read at a time here (array.fromfile reads into bytes first)."""
LENGTH = struct.Struct("<Q")


def read_apart(ctx: typer.Context, filters: Filters, raters: set[str] | None) -> Read:
    """`analysis_read.read_tables` run in a forked child, where the platform forks (Linux:
    `can_fork`); elsewhere read here. `keep_counts_only` is applied in the child."""
    if not can_fork():
        return analysis_read.read_tables(ctx, filters, raters)
    readable, writable = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    gc.collect()
    release_free_pages()
    gc.freeze()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's lines run in another process
        os.close(readable)
        os._exit(_read_and_send(ctx, filters, raters, writable))
    gc.unfreeze()
    os.close(writable)
    with os.fdopen(readable, "rb") as stream:
        try:
            sent = receive(stream)
        except (EOFError, pickle.UnpicklingError, struct.error):  # ended before all was sent
            sent = None
    status = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    if isinstance(sent, tuple):
        return sent
    if isinstance(sent, int):  # the child said why (stderr) and left with this status
        raise typer.Exit(sent)
    if status < 0:
        fail(f"reading the ratings stopped: the reading process was ended by signal {-status}")
    fail(f"reading the ratings stopped: the reading process ended with status {status}")


def can_fork() -> bool:
    """Fork only on Linux (fork is unsafe with some of macOS's system libraries, absent on
    Windows); only while this process runs one thread (a fork copies the calling thread
    alone: a lock another thread held would stay locked in the child); and only when stdout
    and stderr are files (a terminal, a pipe), whose descriptors the child shares: what the
    child printed into a stream held in memory (a test's runner) would be lost with it."""
    import threading

    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.fileno()
        except (AttributeError, ValueError, OSError):  # io.UnsupportedOperation is both
            return False
    return True


def _read_and_send(
    ctx: typer.Context, filters: Filters, raters: set[str] | None, writable: int
) -> int:  # pragma: no cover - runs in the forked child
    """In the child: read, send the tables (or the exit status of an error already printed
    on stderr), and give the exit status for `os._exit` (which skips the parent's exit
    handlers inherited by the fork)."""
    import traceback

    sent: Read | int
    code = 0
    try:
        found, warnings = analysis_read.read_tables(ctx, filters, raters)
        for table in found.tables.values():
            table.keep_counts_only()
        sent = (found, warnings)
    except typer.Exit as exc:
        sent = code = exc.exit_code
    except SystemExit as exc:
        sent = code = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - printed as it would have been; the command fails
        traceback.print_exc()
        sent = code = 1
    try:
        with os.fdopen(writable, "wb") as stream:
            send(sent, stream)
    except Exception:  # noqa: BLE001 - said on stderr; the parent then says the child failed
        traceback.print_exc()
        code = code or 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def send(value: object, stream: IO[bytes]) -> None:
    """`value` pickled with its large arrays left out, then each of those arrays raw, each
    emptied once written and the C library asked to hand its memory back (the sender's
    copy is gone: `value` is no longer whole). An array met twice is sent once."""
    raw: list[array[Any]] = []
    at: dict[int, int] = {}

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            if type(obj) is array and obj.itemsize * len(obj) >= RAW_FROM_BYTES:
                index = at.get(id(obj))
                if index is None:
                    index = at[id(obj)] = len(raw)
                    raw.append(obj)
                return (index, obj.typecode, len(obj))
            return None

    shape = io.BytesIO()
    Pickler(shape, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    stream.write(LENGTH.pack(len(shape.getbuffer())))
    stream.write(shape.getbuffer())
    del shape
    for found in raw:
        found.tofile(stream)
        try:
            del found[:]  # its buffer freed
        except BufferError:  # a view of it is held: kept (only the memory differs)
            continue
        release_free_pages()
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """What `send` wrote: the pickle, its large arrays made empty, then filled in order
    from the stream a chunk at a time."""
    (size,) = LENGTH.unpack(_exactly(stream, LENGTH.size))
    wanted: list[tuple[array[Any], int]] = []
    made: dict[int, array[Any]] = {}

    class Unpickler(pickle.Unpickler):
        def persistent_load(self, pid: Any) -> object:
            index, typecode, length = pid
            found = made.get(index)
            if found is None:
                found = made[index] = array(typecode)
                wanted.append((found, length))
            return found

    value = Unpickler(io.BytesIO(_exactly(stream, size))).load()
    for found, length in wanted:
        per_chunk = max(1, CHUNK // found.itemsize)
        while len(found) < length:
            found.fromfile(stream, min(per_chunk, length - len(found)))  # EOFError if short
    return value


def _exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError(f"expected {size} bytes, read {len(data)}")
    return data
