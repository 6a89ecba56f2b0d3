"""`rating-tui ratings import`: ratings from JSON Lines, the app's wide CSV or REDCap records.

Each line of the file is one rating, exactly as `Rating.model_dump_json()`
and `export --format jsonl` write it, so exported ratings import unchanged:

    {"instrument": {"id": "paris-2009-seven-concepts", "version": "0.1.0",
       "hash": "<sha256 of the instrument content>"}, "rater": "RP",
     "session": {"dyad": "EC0417", "session_date": "2026-01-31",
       "session_number": 3, "rater": "RP", "setting": "home"},
     "answers": {"narration": {"value": 3},
       "modeling": {"missing": "not_applicable"}},
     "now_moments": [{"text": "...", "tags": ["affective"]}], "notes": "",
     "status": "final", "id": "<uuid4>",
     "created": "2026-01-31T14:05:00.000000+00:00",
     "updated": "2026-01-31T14:05:00.000000+00:00", "revisions": []}

(wrapped here; one line in the file). `hash` is the content hash of the
instrument version (`rating-tui instruments validate` prints it); each
answer is a `value` or a `missing` code; times carry a UTC offset; status
is draft, final or voided; `revisions` keeps earlier versions.

Import checks every record before storing anything (JSON, the Rating shape, an instrument
id@version found with the same content hash, the instrument's rules) and reports every bad
line with its number, so a file is fixed in one pass, keeping no rating; only a clean file
is read again and stored a batch at a time by `Store.import_batches`, all or nothing (a file
that changed in between is refused). Reading and checking live in `rating_tui.imports`
(`passes.py`: the two passes; JSON Lines, the wide CSV, REDCap records); this command only
shows the result and stores it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data, open_store
from rating_tui.cli.errors import fail, given_path, output_file

if TYPE_CHECKING:
    from rating_tui.imports.batch import Batch
    from rating_tui.imports.passes import FirstPass, Source
    from rating_tui.imports.read import Format
    from rating_tui.instruments.catalogue import Catalogue
    from rating_tui.instruments.loader import LoadedInstrument
    from rating_tui.instruments.model import Instrument
    from rating_tui.ratings.model import Rating
    from rating_tui.store.api import Store

MAX_PROBLEMS_PER_LINE = 5
"""Pre-store findings shown for one rating; the rest are counted."""
_SHAPE = __doc__.split("\n\n")[1:4] if __doc__ else []
IMPORT_HELP = (
    "Add ratings from JSON Lines, the app's own wide CSV (with --moments) or REDCap "
    "records, all or nothing."
    "\n\n"
    + "\n\n".join(_SHAPE).replace("[", r"\[")
    + "\n\nThe instrument `hash` may be left out when id@version is one of your instruments; "
    "one that is given must match. A .csv file is read as the wide table `export --format csv` "
    "writes (codes or labels). Every record is checked first; the same problem on many lines "
    "is reported once with its line numbers, and then nothing is stored. Ratings already "
    "stored with the same content are left as they are."
    "\n\nNew ratings are then checked against the data folder and each other, as the app "
    "checks them: the same session rated twice by one rater is an error; a second rater of a "
    "session, a date in the future or session numbers out of order with their dates are "
    "warnings, imported only with --accept-warnings."
)


def catalogue_of(ctx: typer.Context) -> Catalogue:
    from rating_tui.instruments.catalogue import default_sources, discover

    return discover(default_sources(ctx.obj.instruments if ctx.obj is not None else []))


def instrument_of(catalogue: Catalogue, rating: Rating) -> Instrument | None:
    """The instrument version the rating was made with, when found with the same content."""
    for li in catalogue.instruments:
        if li.ref == rating.instrument.ref and li.content_hash == rating.instrument.hash:
            return li.instrument
    return None


def import_ratings(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A .jsonl or .csv file; - for stdin.",
            parser=given_path("FILE", "the file to import (- for stdin)"),
        ),
    ],
    data: DataOption = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="jsonl, csv or redcap  \\[default: csv for a .csv file, else jsonl]",
            metavar="FORMAT",
        ),
    ] = None,
    moments: Annotated[
        Path | None,
        typer.Option(
            help="The now-moments table of a wide CSV export.",
            metavar="FILE",
            parser=given_path("--moments", "the now-moments table to read"),
        ),
    ] = None,
    instrument: Annotated[
        str | None,
        typer.Option(help="For --format redcap: the records' instrument.", metavar="ID@VERSION"),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option(
            help="Write every problem to this file, one per line.",
            metavar="FILE",
            parser=output_file("--errors"),
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Check the file only; store nothing.", metavar="")
    ] = False,
    accept_warnings: Annotated[
        bool,
        typer.Option(
            "--accept-warnings",
            help="Import ratings the pre-store checks only warn about.",
            metavar="",
        ),
    ] = False,
) -> None:
    from rating_tui.imports.read import FORMATS, guess_format

    _errors_elsewhere(errors, file, moments)
    if fmt is not None and fmt not in FORMATS:
        fail(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    chosen = fmt if fmt is not None else guess_format(file)
    if str(file) != "-":
        _import_file(ctx, file, chosen, data, moments, instrument, errors, check, accept_warnings)
        return
    from rating_tui.imports.passes import spooled

    stdin = typer.get_binary_stream("stdin")
    with clear_errors(), spooled(stdin) as copy:  # read twice: stdin is kept in a 0600 file
        _import_file(
            ctx, copy, chosen, data, moments, instrument, errors, check, accept_warnings, file
        )


def _import_file(
    ctx: typer.Context,
    path: Path,
    chosen: Format,
    data: str | None,
    moments: Path | None,
    instrument: str | None,
    errors: Path | None,
    check: bool,
    accept_warnings: bool,
    given: Path | None = None,
) -> None:
    """Check every record of `path` (first pass), then store its ratings (second pass).
    `given`: the name the user gave when `path` is a copy of it (stdin)."""
    from rating_tui.imports.passes import Source, first_pass

    shown = str(given) if given is not None else None
    name = "<stdin>" if shown == "-" else str(path)
    source = Source(path, chosen, name, moments, instrument)
    catalogue = catalogue_of(ctx)
    known = {li.ref: li for li in catalogue.instruments}
    with clear_errors():
        first = first_pass(source, known, shown)
    with first:  # its keys on disk are let go however the import ends
        _checked(ctx, first, source, known, catalogue, data, errors, check, accept_warnings)


def _checked(
    ctx: typer.Context,
    first: FirstPass,
    source: Source,
    known: dict[str, LoadedInstrument],
    catalogue: Catalogue,
    data: str | None,
    errors: Path | None,
    check: bool,
    accept_warnings: bool,
) -> None:
    """Say what the first pass found, then (a clean file, not --check) store it."""
    from rating_tui.imports.passes import FileChanged, second_pass
    from rating_tui.imports.problems import every_line, report_lines
    from rating_tui.store import RatingConflictError, StoreError

    batch, name, chosen = first.batch, source.name, source.fmt
    if errors is not None:  # written on every run, empty when all is well: never stale
        from rating_tui.outputs import atomic_write_text

        with clear_errors():
            replaced = errors.is_file()  # said, as export says it
            atomic_write_text(errors, every_line(batch.problems, name), 0o600)
        if replaced:
            typer.echo(f"--errors {errors}: it replaced the file that was there", err=True)
    if batch.problems:
        shown_errors = str(errors) if errors is not None else None
        for message in report_lines(batch.problems, name, shown_errors):
            typer.echo(message, err=True)
        if batch.records:
            unit = "line(s)" if chosen == "jsonl" else "row(s)"
            other = batch.of_the_file
            more = f", and {other} problem(s) of the file as a whole" if other else ""
            fail(f"{batch.bad} of {batch.records} rating {unit} in {name} are invalid{more}; "
                 "nothing was imported")  # fmt: skip
        fail(f"{name} cannot be imported; nothing was imported")
    count = batch.count
    notes = _import_notes(batch, known, "line(s)" if chosen == "jsonl" else "row(s)")
    if not count:
        typer.echo(f"{name} holds no ratings; nothing was imported.")
        return
    if check:
        typer.echo(f"{name}: {count} rating(s) valid; nothing stored (--check).")
        for note in notes:
            typer.echo(note)
        return
    folder = data_folder(ctx, data)
    holds_data(folder)  # refuses a folder that holds something else
    store = open_store(folder)
    instruments = {ref: known[ref].instrument for ref in sorted(batch.refs)}
    _pre_store_checks(name, store, batch, catalogue, accept_warnings)
    with clear_errors():
        try:
            result = store.import_batches(second_pass(source, known, first), instruments)
        except FileChanged as exc:  # raised inside the transaction: nothing was written
            fail(str(exc))
        except RatingConflictError as exc:
            line = batch.line_named(str(exc))
            fail(f"{name}:{line}: {exc}" if line else str(exc))
        except StoreError as exc:  # all or nothing: say which (`committed`: decided, not done)
            if isinstance(exc.__cause__, FileChanged):
                fail(str(exc.__cause__))
            committed = getattr(exc, "committed", False)
            done = "all of it is imported on the next open" if committed else "nothing was imported"
            fail(f"{exc}\n{name}: {done}.")
    typer.echo(f"{name}: {result.added} added, {result.unchanged} already present.")
    for note in notes:
        typer.echo(note)


def _errors_elsewhere(errors: Path | None, file: Path, moments: Path | None) -> None:
    """--errors naming the file being read: the problem list replaced the user's ratings file
    after it was read, without a word."""
    if errors is None:
        return
    key = errors.expanduser().resolve()
    for option, path in (("the file imported", file), ("--moments", moments)):
        if path is not None and str(path) != "-" and path.expanduser().resolve() == key:
            fail(
                f"--errors {errors} is {option}: the list of problems would replace it; give "
                "--errors another file name. Nothing was imported or written"
            )


def _import_notes(batch: Batch, known: dict[str, LoadedInstrument], unit: str) -> list[str]:
    """What the summary says besides the counts: records repeated in the file, hashes
    filled in, columns not read."""
    repeats = batch.repeat_note(unit)
    out = [repeats] if repeats else []
    out += [
        f"{count} rating(s) named {ref} without its content hash: recorded the hash of the "
        f"known version, {known[ref].content_hash[:12]}... ({known[ref].path.name})"
        for ref, count in sorted(batch.hashless.items())
    ]
    return out + batch.notes


def _pre_store_checks(
    name: str,
    store: Store,
    batch: Batch,
    catalogue: Catalogue,
    accept_warnings: bool,
) -> None:
    """The checks the app makes before storing (`ratings.checks`), by line number, from the
    session facts the first pass kept; errors stop the import, warnings too unless accepted."""
    from datetime import date

    from rating_tui.imports.prestore import import_findings
    from rating_tui.services.roster import load_roster
    from rating_tui.store import StoreError

    errors = warnings = 0
    assert batch.keys is not None  # (the first pass's keys, on disk)
    with clear_errors():
        roster = load_roster(store.data_dir)
        found = import_findings(
            store, batch.keys, date.today(), lambda r: instrument_of(catalogue, r), roster
        )
        try:  # in file order: the lines rise
            for line, _, findings in found:
                errors += sum(f.severity == "error" for f in findings)
                warnings += sum(f.severity == "warning" for f in findings)
                for finding in findings[:MAX_PROBLEMS_PER_LINE]:
                    typer.echo(f"{name}:{line}: {finding}", err=True)
                if len(findings) > MAX_PROBLEMS_PER_LINE:
                    more = len(findings) - MAX_PROBLEMS_PER_LINE
                    typer.echo(f"{name}:{line}: ... and {more} more", err=True)
        except StoreError as exc:  # the stored ratings cannot be read to compare
            fail(f"{exc}\n{name}: nothing was imported.")
    if errors:
        fail(f"{errors} error(s) and {warnings} warning(s) in {name}; nothing was imported")
    if warnings and not accept_warnings:
        fail(
            f"{warnings} warning(s) in {name}; nothing was imported. Check them, then import "
            "with --accept-warnings to store these ratings as they are"
        )
    if warnings:
        typer.echo(f"{name}: {warnings} warning(s) accepted.", err=True)
