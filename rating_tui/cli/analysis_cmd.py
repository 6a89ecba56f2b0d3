"""`rating-tui agreement` and `rating-tui calibrate`: figures as Rich tables, and as CSV.

Thin wrappers like the export commands, whose filters and folder handling they reuse: read the
selected final ratings once (merging several --data folders), hand them to
`rating_tui.analysis`, print. Agreement needs the `stats` extra (numpy) and says how to
install it; calibration is plain Python and always works. Expected problems end in one line.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rating_tui.cli.analysis_apart import read_apart
from rating_tui.cli.analysis_read import Filters, check_raters, read_tables
from rating_tui.cli.errors import codes_given, fail, output_file, warn_incomplete

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from rating_tui.analysis.agreement import ItemAgreement
    from rating_tui.analysis.calibration import RaterCalibration
    from rating_tui.analysis.sessiontable import Collected

InstrumentOpt = Annotated[
    str | None, typer.Option(help="Only ratings of ID or ID@VERSION.", metavar="ID[@VERSION]")
]
DateFrom = Annotated[
    str | None, typer.Option("--from", help="First session date, YYYY-MM-DD.", metavar="DATE")
]
DateTo = Annotated[
    str | None, typer.Option("--to", help="Last session date, YYYY-MM-DD.", metavar="DATE")
]
Dyad = Annotated[str | None, typer.Option(help="Only this dyad code.", metavar="DYAD")]
Csv = Annotated[
    Path | None,
    typer.Option(
        "--csv",
        help="Also write the figures to this CSV file.",
        metavar="FILE",
        parser=output_file("--csv"),
    ),
]
Data = Annotated[
    list[Path] | None,
    typer.Option("--data", help="Data folder; repeat to merge several.", metavar="FOLDER"),
]
CALIBRATION_KEY = (
    "Final ratings only; a session counts for an item when both gave a value. Bias: the rater "
    "minus the gold rater (positive: rates higher). Within 1: at most one scale point apart. "
    "Diverges: mean absolute difference at least 1/8 of the scale's range."
)
HANDLING = (
    "Final ratings only. Not-observed / not-applicable codes and unanswered items are no value. "
    "Every statistic uses every session with two or more values, except the two-way ICCs "
    "(raters crossed with sessions only) and kappa per pair (the sessions both rated). Bands: "
    "Koo & Li (2016) for ICC, Krippendorff (2004) for alpha, Landis & Koch (1977) for kappa."
)


def agreement(
    ctx: typer.Context,
    instrument: InstrumentOpt = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    rater: Annotated[
        list[str] | None,
        typer.Option(help="Only this rater; repeatable.", metavar="RATER"),
    ] = None,
    dyad: Dyad = None,
    csv: Csv = None,
    data: Data = None,
    details: Annotated[
        bool,
        typer.Option("--details", help="Every statistic of every item, pairs listed.", metavar=""),
    ] = False,
    bootstrap: Annotated[
        str,
        typer.Option(
            help="Resample sessions, or whole dyads (their sessions are not independent).",
            metavar="session|dyad",
        ),
    ] = "session",
) -> None:
    """Inter-rater agreement per item: the statistic that fits the design, with its 95% CI
    (--details: ICC forms, alpha, Fleiss' kappa, AC1, kappa per pair of raters)."""
    from rating_tui.analysis.results import stats_missing

    if bootstrap not in ("session", "dyad"):
        fail(f"--bootstrap {bootstrap!r}: expected session or dyad")
    codes_given(dyad, rater)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        # Before numpy loads: the bootstrap's matrix products are small, and BLAS threads
        # spinning on a busy machine made them ten times slower (unless the user chose).
        os.environ.setdefault(name, "1")
    problem = stats_missing()
    if problem is not None:
        fail(problem)
    if rater and len(set(rater)) == 1:
        fail(
            f"--rater {rater[0]}: agreement compares raters, and one rater agrees with no one; "
            "give --rater two or more times, or leave it out for every rater (`calibrate "
            f"--gold {rater[0]}` compares the others with this one). Nothing was computed."
        )
    filters = Filters(instrument, date_from, date_to, dyad, data)
    # read in a child process that ends once the tables are handed back: what reading
    # needs (the store's, instruments' and ratings' modules) and leaves goes with it
    found, warnings = read_apart(ctx, filters, set(rater) if rater else None)
    check_raters(found, rater, warnings)
    for table in found.tables.values():
        table.keep_counts_only()  # the keys' texts and date/number codes: never printed here
    # numpy and the statistics only now, once what reading the ratings (month by month)
    # left free is handed back: it is reused instead of adding to the peak memory.
    _release_freed_memory()
    from rating_tui.analysis.agreement import agreement as compute

    done: list[tuple[str, list[ItemAgreement]]] = []
    console: Console | None = None
    for instrument_id, table in found.tables.items():
        if bootstrap == "dyad" and not table.dyad_first:
            fail(f"{instrument_id} has no dyad field: use --bootstrap session")
        # the table read for this analysis only: its columns let go as its items are read
        items = compute(table, "dyad" if bootstrap == "dyad" else "session", consume=True)
        done.append((instrument_id, items))
        # Rich and the views once the first statistics are done: their modules (1-2 MiB)
        # are then not held on top of the statistics' peak, and the heap the statistics
        # freed is handed back first (Python's objects do not reuse it: their arenas are
        # mapped apart).
        _release_freed_memory()
        from rich.console import Console

        from rating_tui.views import agreement_view

        console = console or Console()
        console.print(agreement_view.summary_table(instrument_id, items))
        for line in agreement_view.sentences(items):
            console.print(line, highlight=False)
        if details:
            tables = agreement_view.detail_tables(instrument_id, items)
            for shown, found_item in zip(tables, items, strict=True):
                console.print(shown)
                lines = agreement_view.pair_lines(found_item, min(console.width, 100))
                if lines:  # plain text, already escaped: Rich took seconds over 12,000 lines
                    typer.echo("\n".join(lines))
    assert console is not None  # `read_tables` refuses a read without tables
    console.print(HANDLING, style="dim", highlight=False)
    _summary(found)
    if csv is not None:  # rows made while written: the demo data's 24,738 held 8 MiB
        from rating_tui.analysis.report import AGREEMENT_HEADER, agreement_rows

        _save(csv, AGREEMENT_HEADER, (row for i, items in done for row in agreement_rows(i, items)))
    warn_incomplete(warnings)


def _release_freed_memory() -> None:
    """Free what reading left behind, and ask the C library to hand freed heap pages back to
    the system (glibc's malloc_trim): reading 100,000 ratings leaves several MiB free but
    resident, and the statistics then grow on top of them. Reference cycles among the parsed
    months are collected first (about 6 MiB of the demo data's). A C library without
    malloc_trim (macOS, musl) keeps the pages: only the peak memory differs, never a figure."""
    from rating_tui.analysis.libc import release_free_pages

    gc.collect()
    release_free_pages()


def _save(path: Path, header: tuple[str, ...], rows: Iterable[list[str]]) -> None:
    """Write the CSV atomically, private (0600) like every export."""
    from rating_tui.export.csvout import csv_chunks
    from rating_tui.export.output import atomic_output, write_text_chunks

    written = 0

    def counted() -> Iterator[list[str]]:
        nonlocal written
        for row in rows:
            written += 1
            yield row

    try:
        with atomic_output(path) as sink:
            write_text_chunks(sink, csv_chunks(header, counted()))
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    typer.echo(f"wrote {written} row(s) to {path}", err=True)


def _summary(found: Collected) -> None:
    lines = [f"read {found.ratings} final rating(s)"]
    if found.unkeyed:
        lines.append(f"{found.unkeyed} without dyad, date or session number were left out")
    replaced = sum(t.replaced for t in found.tables.values())
    if replaced:
        lines.append(f"{replaced} earlier rating(s) of a session by the same rater were set aside")
    typer.echo("; ".join(lines), err=True)


def calibrate(
    ctx: typer.Context,
    gold: Annotated[
        str, typer.Option("--gold", help="The gold-standard rater's code.", metavar="RATER")
    ],
    instrument: InstrumentOpt = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    rater: Annotated[
        list[str] | None,
        typer.Option(help="Only this rater against the gold; repeatable.", metavar="RATER"),
    ] = None,
    dyad: Dyad = None,
    csv: Csv = None,
    data: Data = None,
) -> None:
    """Compare every rater with a gold-standard rater: bias, mean absolute difference, % exact,
    % within one point per item, and the items where each diverges most."""
    from rich.console import Console

    from rating_tui.analysis.calibration import CalibrationError
    from rating_tui.analysis.calibration import calibrate as compute
    from rating_tui.analysis.report import CALIBRATION_HEADER, calibration_rows

    codes_given(dyad, rater, gold)
    if rater and gold in rater:  # compared with itself: it said only "no rater to compare"
        fail(
            f"--rater {gold} is the gold rater (--gold {gold}): a rater cannot be compared "
            "with itself; name the trainees with --rater, or leave --rater out for all"
        )
    keep = {*rater, gold} if rater else None
    found, warnings = read_tables(ctx, Filters(instrument, date_from, date_to, dyad, data), keep)
    check_raters(found, rater, warnings)
    console, rows, problems = Console(), list[list[str]](), list[str]()
    for instrument_id, table in found.tables.items():
        try:
            results = compute(table, gold, rater)
        except CalibrationError as exc:
            problems.append(str(exc))
            continue
        rows += calibration_rows(instrument_id, results)
        for result in results:
            console.print(_calibration_table(instrument_id, result))
            console.print(_divergence_line(result), highlight=False, markup=False)
    if not rows:
        warn_incomplete(warnings, then=None)
        fail(problems[0] if problems else f"no rater to compare with {gold}")
    console.print(CALIBRATION_KEY, style="dim", highlight=False)
    for problem in problems:
        typer.echo(f"note: {problem}", err=True)
    _summary(found)
    if csv is not None:
        _save(csv, CALIBRATION_HEADER, rows)
    warn_incomplete(warnings)


def _calibration_table(instrument_id: str, result: RaterCalibration) -> Table:
    from rich.markup import escape as markup
    from rich.table import Table

    from rating_tui.analysis.report import number, percent, signed
    from rating_tui.safetext import escape

    title = (  # rater names are stored text: neither markup nor terminal controls
        f"{markup(escape(result.rater))} against {markup(escape(result.gold))}: {instrument_id}; "
        f"{markup(escape(result.coverage))}"
    )
    table = Table(title=title, title_justify="left")
    for name in ("Item", "Sessions", "Bias", "Mean abs. diff.", "Exact", "Within 1", "Verdict"):
        table.add_column(name, justify="left" if name in ("Item", "Verdict") else "right")
    for item in result.items:
        table.add_row(
            item.item.key,
            str(item.sessions),
            signed(item.bias),
            number(item.mad, 2),
            percent(item.exact),
            percent(item.within_one),
            result.note(item),
        )
    return table


def _divergence_line(result: RaterCalibration) -> str:
    from rating_tui.safetext import escape

    return escape(result.verdict() + "\n")
