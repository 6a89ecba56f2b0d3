"""What `rating-tui agreement` and `rating-tui calibrate` read: the selected final ratings of
every --data folder, once, into session tables (`analysis.pairing.Collected`).

One folder is read straight from its stored records (`analysis.stored.collect_folder`, as the
Calibration view reads its folder); several go through the export's merged stream and
`pairing.collect`. The options that select ratings are the export's, and so are their errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rating_tui.cli.errors import day_range, distinct_folders, fail, warn_incomplete
from rating_tui.cli.export_cmd import _instruments, _settings
from rating_tui.cli.near_codes import no_such_instrument

if TYPE_CHECKING:
    from rating_tui.analysis.sessiontable import Collected
    from rating_tui.export.select import Instruments, Selection
    from rating_tui.export.sources import StoreSource
    from rating_tui.instruments.model import Instrument


@dataclass(frozen=True)
class Filters:
    """The options both commands share with `rating-tui export`."""

    instrument: str | None
    date_from: str | None
    date_to: str | None
    dyad: str | None
    data: list[Path] | None


def _collect(
    ctx: typer.Context, filters: Filters, raters: set[str] | None
) -> tuple[Collected, list[str | None]]:
    """Read the selected final ratings of every data folder once, into session tables; and
    what the read of each folder lacked (`StoreSource.warning`)."""
    from rating_tui.analysis.pairing import collect
    from rating_tui.export.job import ExportRequest, cycle_collection_paused, rating_stream
    from rating_tui.export.merge import MergeReport
    from rating_tui.export.select import Selection, parse_instrument_option
    from rating_tui.export.sources import StoreSource
    from rating_tui.paths import data_dir
    from rating_tui.ratings.model import InstrumentRef

    if filters.instrument is not None:
        parse_instrument_option(filters.instrument)
    selection = Selection(
        filters.instrument,
        *day_range(filters.date_from, filters.date_to),
        filters.dyad,
    )
    folders = distinct_folders(filters.data or [data_dir(_settings(ctx)[0])])
    instruments = _instruments(ctx)
    sources = [StoreSource.open(f) for f in folders]
    for source in sources:
        instruments.add_kept(source.store.stored_instruments())

    def instrument_of(instrument_id: str, version: str, hash_: str) -> Instrument:
        return instruments.require(InstrumentRef(id=instrument_id, version=version, hash=hash_))

    with cycle_collection_paused():  # as the export reads: records are trees, no cycles
        found = _one_folder(selection, sources, instruments, instrument_of, raters)
        if found is None:
            stream = rating_stream(
                ExportRequest(selection=selection), sources, instruments, MergeReport()
            )
            found = collect(stream, instrument_of, raters)
    warnings = [s.warning() for s in sources]
    if not found.tables:
        warn_incomplete(warnings, then=None)
        raise LookupError("no final ratings match; nothing to analyse")
    return found, warnings


def _one_folder(
    selection: Selection,
    sources: list[StoreSource],
    instruments: Instruments,
    instrument_of: Callable[[str, str, str], Instrument],
    raters: set[str] | None,
) -> Collected | None:
    """One folder's tables read straight from its stored records (`stored.collect_folder`,
    as the Calibration view reads them); None when there are several folders, which are
    merged by rating id as the export merges them (the newest copy decides its status)."""
    from rating_tui.analysis.stored import collect_folder
    from rating_tui.export.job import RecordSource

    source = sources[0]
    if len(sources) > 1 or not isinstance(source, RecordSource):
        return None
    return collect_folder(
        lambda read: source.records(read, selection.statuses),
        instrument_of,
        raters,
        selection.record_filter(instruments),
    )


def read_tables(
    ctx: typer.Context, filters: Filters, raters: set[str] | None
) -> tuple[Collected, list[str | None]]:
    from rating_tui.export.errors import ExportError
    from rating_tui.store import StoreError

    try:
        return _collect(ctx, filters, raters)
    except (ExportError, StoreError, LookupError) as exc:

        def versions(wanted_id: str) -> list[str]:
            return [i.version for i in _instruments(ctx).versions_of(wanted_id)]

        fail(str(exc) + no_such_instrument(filters.instrument, versions))


def check_raters(found: Collected, named: list[str] | None, warnings: list[str | None]) -> None:
    """Refuse a --rater that matched no usable final rating: the figures would silently be
    those of the other raters alone (a typo, or another case: codes match exactly)."""
    present = {r for table in found.tables.values() for r in table.raters}
    absent = sorted(set(named or ()) - present)
    if absent:
        warn_incomplete(warnings, then=None)
        listed = ", ".join(repr(r) for r in absent)
        fail(
            f"--rater {listed}: no usable final rating by that rater matches the filters "
            "(rater codes match exactly, case included); nothing was computed"
        )


def read_apart(
    ctx: typer.Context, filters: Filters, raters: set[str] | None
) -> tuple[Collected, list[str | None]]:
    """`read_tables` run in a forked child process that hands the finished tables back
    through a pipe and ends, where the platform forks (Linux; elsewhere read here).

    What reading needs and the statistics never do goes with the child: the store's, the
    instruments' and the ratings' modules (the pydantic models: about 14 MiB), and what
    parsing a month at a time leaves in the heap. This process waits while the child reads
    (it imports nothing meanwhile), so the memory the two hold at once is the child's
    reading on top of what they shared at the fork: about what reading here held. The
    tables come back as pickled session tables (a few MiB: codes, a byte or two a value);
    `keep_counts_only` is applied in the child, before they are sent.

    The child's messages (an error, a warning printed as it reads) go to the same stderr;
    an error there ends this command with the child's exit status, and a child that ends
    without its tables (killed, out of memory) is said in words, never taken as no data."""
    if not _can_fork():
        return read_tables(ctx, filters, raters)
    import pickle

    readable, writable = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's lines run in another process
        os.close(readable)
        os._exit(_read_and_send(ctx, filters, raters, writable))
    os.close(writable)
    sent: tuple[Collected, list[str | None]] | int | None
    with os.fdopen(readable, "rb") as stream:
        try:
            sent = pickle.load(stream)
        except (EOFError, pickle.UnpicklingError):  # the child ended before all was sent
            sent = None
    status = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    if isinstance(sent, tuple):
        return sent
    if isinstance(sent, int):  # the child said why (stderr) and left with this status
        raise typer.Exit(sent)
    if status < 0:
        fail(f"reading the ratings stopped: the reading process was ended by signal {-status}")
    fail(f"reading the ratings stopped: the reading process ended with status {status}")


def _can_fork() -> bool:
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
    import pickle
    import traceback

    sent: tuple[Collected, list[str | None]] | int
    code = 0
    try:
        found, warnings = read_tables(ctx, filters, raters)
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
            pickle.dump(sent, stream, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - said on stderr; the parent then says the child failed
        traceback.print_exc()
        code = code or 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code
