"""`rating-tui export` (`merge` is `merge_cmd`; the REDCap dictionary commands: `redcap_cmd`).

Thin wrappers: they gather options, call `rating_tui.export` and `rating_tui.redcap`, and turn
their errors into one-line messages (exit 1). Data goes to stdout or a file, the summary and
any progress bar to stderr, so `rating-tui export -o - | ...` pipes cleanly. Everything heavy
is imported inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, TypeVar, cast

import typer

from rating_tui.cli.errors import (
    code_option,
    day_range,
    distinct_folders,
    distinct_outputs,
    fail,
    note_plain,
    note_unusable,
    output_file,
    warn_incomplete,
)
from rating_tui.cli.export_said import left_out, refuse_no_match

if TYPE_CHECKING:
    from rating_tui.export.job import ExportRequest
    from rating_tui.export.merge import MergeReport
    from rating_tui.export.select import Instruments
    from rating_tui.export.sources import StoreSource

PROGRESS_AFTER = 5000
"""Rows written to a file before a progress bar appears on stderr."""
_S = TypeVar("_S", bound=str)
_R = TypeVar("_R")


def _choice(value: str, allowed: tuple[_S, ...], option: str) -> _S:
    for a in allowed:
        if a == value:
            return a
    fail(f"{option} {value!r}: expected one of {', '.join(allowed)}")


def _settings(ctx: typer.Context) -> tuple[Path | None, list[Path]]:
    """The root command's --data and --instruments (absent when called on its own)."""
    return getattr(ctx.obj, "data", None), list(getattr(ctx.obj, "instruments", None) or [])


def _instruments(ctx: typer.Context) -> Instruments:
    from rating_tui.export.select import Instruments
    from rating_tui.instruments.catalogue import default_sources, discover

    catalogue = discover(default_sources(_settings(ctx)[1]))
    note_unusable(catalogue.problems)
    return Instruments(li.instrument for li in catalogue.instruments)


def open_sources(folders: Iterable[Path], instruments: Instruments) -> list[StoreSource]:
    """Each data folder opened to be read (export, agreement, calibrate, merge): said to be
    plain when `$RATING_TUI_PASSPHRASE` is set (`note_plain`), and its kept instrument copies
    added to `instruments`, for instrument files lost or edited since."""
    from rating_tui.export.sources import StoreSource

    sources = [StoreSource.open(folder) for folder in folders]
    for source in sources:
        note_plain(source.name, source.encrypted)
        instruments.add_kept(source.store.stored_instruments())
    return sources


def _sink(path: Path | None, stack: ExitStack) -> BinaryIO | None:
    """None when not asked, stdout for "-", else an atomic private file."""
    from rating_tui.export.output import atomic_output

    if path is None:
        return None
    if str(path) == "-":
        return cast(BinaryIO, getattr(sys.stdout, "buffer", sys.stdout))
    return stack.enter_context(atomic_output(path))


class _Bar:
    """Progress callback: a Rich bar on stderr (a terminal only) once many rows are written."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, rows: int) -> None:
        if rows < PROGRESS_AFTER or not sys.stderr.isatty():
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

            columns = (SpinnerColumn(), BarColumn(), TextColumn("{task.completed:,} rows"))
            self._bar = Progress(*columns, console=Console(stderr=True), transient=True)
            self._stack.enter_context(self._bar)
            self._task = self._bar.add_task("export", total=None)
        self._bar.update(self._task, completed=rows)


def _merge_lines(report: MergeReport, sources: int) -> list[str]:
    """What a read of `sources` data folders merged, and its conflicts (20 shown at most),
    for `merge` and for an export of several folders."""
    if sources < 2:
        return []
    lines = [f"merged {sources} data folders: {report.summary()}"]
    lines += [
        f"  conflict {c.rating_id} ({', '.join(c.sources)}): kept the copy in {c.kept}, the "
        "other is in its history"
        for c in report.conflicts[:20]
    ]
    if len(report.conflicts) > 20:
        lines.append(f"  ... and {len(report.conflicts) - 20} more")
    return lines


def export(
    ctx: typer.Context,
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="csv, jsonl, redcap, sav or dta.", metavar="FORMAT"),
    ] = "csv",
    layout: Annotated[
        str,
        typer.Option(help="wide: a row per rating; long: per rating and item.", metavar="LAYOUT"),
    ] = "wide",
    values: Annotated[
        str, typer.Option(help="codes, or labels (for reading).", metavar="VALUES")
    ] = "codes",
    codebook: Annotated[
        Path | None,
        typer.Option(
            help="Also write the codebook (.md: Markdown, else CSV).",
            metavar="FILE",
            parser=output_file("--codebook"),
        ),
    ] = None,
    moments: Annotated[
        Path | None,
        typer.Option(
            help="Also write the now-moments table (CSV).",
            metavar="FILE",
            parser=output_file("--moments"),
        ),
    ] = None,
    instrument: Annotated[
        str | None, typer.Option(help="Only ratings of ID or ID@VERSION.", metavar="ID[@VERSION]")
    ] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Several versions in one table.", metavar="")
    ] = False,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First session date, YYYY-MM-DD.", metavar="DATE")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last session date, YYYY-MM-DD.", metavar="DATE")
    ] = None,
    dyad: Annotated[str | None, typer.Option(help="Only this dyad code.", metavar="DYAD")] = None,
    rater: Annotated[str | None, typer.Option(help="Only this rater.", metavar="RATER")] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(help="final (default), draft, voided; repeatable.", metavar="STATUS"),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="Start CSV files with a BOM, for Excel (and guard formulas in --format redcap).",
            metavar="",
        ),
    ] = False,
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write, or - for stdout.", metavar="FILE")
    ] = "-",
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Data folder; repeat to merge several.", metavar="FOLDER"),
    ] = None,
) -> None:
    """Export ratings for R, SPSS, Stata, pandas or REDCap; the summary goes to stderr."""
    from rating_tui.export.errors import ExportError
    from rating_tui.export.job import (
        FORMATS,
        LAYOUTS,
        VALUES,
        ExportRequest,
        choose_versions,
        matching_refs,
        run,
    )
    from rating_tui.export.nomatch import NoMatch, asked
    from rating_tui.export.select import Selection
    from rating_tui.paths import data_dir
    from rating_tui.ratings.model import STATUSES
    from rating_tui.store import StoreError

    if not output.strip():  # read as ".", the current folder, and refused as a folder
        fail("-o is empty: give a file name to write, or - for standard output")
    fmt = _choice(format, FORMATS, "--format")
    mode = _choice(values, VALUES, "--values")
    _check_applies(fmt, _choice(layout, LAYOUTS, "--layout"), mode, codebook, moments)
    if excel and (fmt in ("sav", "dta") or (fmt == "jsonl" and moments is None)):
        fail(
            f"--excel starts CSV files with a BOM; --format {fmt} writes none"
            + (" (only a --moments FILE would be one)" if fmt == "jsonl" else "")
        )
    statuses = tuple(dict.fromkeys(_choice(s, STATUSES, "--status") for s in status or ["final"]))
    selection = Selection(
        instrument,
        *day_range(date_from, date_to),
        code_option(dyad, "--dyad"),
        code_option(rater, "--rater"),
        statuses,
    )
    shape = _choice(layout, LAYOUTS, "--layout")
    request = ExportRequest(fmt, shape, mode, selection, all_versions, excel)
    folders = distinct_folders(data or [data_dir(_settings(ctx)[0])])
    target = None if output == "-" else Path(output)
    distinct_outputs({"-o": target or Path("-"), "--moments": moments, "--codebook": codebook})
    replaced = {p for p in (target, moments, codebook) if p and str(p) != "-" and p.is_file()}
    lines: list[str] = []
    try:
        instruments = _instruments(ctx)
        sources = open_sources(folders, instruments)
        for source in sources:  # "not exported: N drafts" counts those the filters keep
            source.tally.keeps = selection.others(instruments)
        plan = None
        if fmt == "jsonl":  # (JSON Lines has no columns: no plan, none of its modules)
            _versions(request, sources, instruments, lambda r, s, _: matching_refs(r, s))
        else:
            from rating_tui.export.plan import Plan

            versions = _versions(request, sources, instruments, choose_versions)
            guard = fmt == "csv" or (fmt == "redcap" and excel)  # REDCap would store the quote
            plan = Plan(versions, mode, guard=guard)
        if fmt in ("sav", "dta"):
            lines = _write_stats(fmt, target, request, sources, instruments, plan)
            lines[0] += _replaced(target, replaced)
        else:
            with ExitStack() as stack:
                main = _sink(target or Path("-"), stack)
                assert main is not None
                moments_sink = _sink(moments, stack)
                summary = run(request, sources, instruments, main, moments_sink, _Bar(stack), plan)
                if not summary.ratings:  # (several folders: a merge made every copy voided)
                    raise NoMatch(
                        f"no ratings match {asked(selection)} once the copies of the data "
                        "folders are merged (the newest copy decides); nothing was written"
                    )
            where = target or "stdout"
            lines = [
                f"exported {summary.ratings} rating(s) ({summary.rows} rows) to {where}"
                + _replaced(target, replaced)
            ]
            if moments is not None:
                lines.append(
                    f"wrote {summary.moments} now moment(s) to {_named(moments)}"
                    + _replaced(moments, replaced)
                )
            lines += _merge_lines(summary.merge, len(sources))
            lines += left_out([*(s.tally.left_out for s in sources), summary.left_out], selection)
        if codebook is not None and plan is not None:
            _write_codebook(codebook, plan, request)
            said = f"wrote the codebook to {_named(codebook)}"
            lines.append(said + _replaced(codebook, replaced))
    except (ExportError, StoreError) as exc:
        fail(str(exc))
    except OSError as exc:  # what was already written stays, complete: say so
        done = f" (already written, complete: {'; '.join(lines)})" if lines else ""
        where = "stdout" if isinstance(exc, BrokenPipeError) else exc.filename or output
        fail(f"cannot write {where}: {exc.strerror or exc}{done}")  # (a pipe: not -o FILE)
    if any(s.store.encrypted for s in sources):  # issue 16: exports are a conscious act
        lines.append(
            "note: the data folder is encrypted, but this export is a plain file: keep it "
            "private, and delete it when the analysis is done"
        )
    for line in lines:
        typer.echo(line, err=True)
    warn_incomplete(s.warning() for s in sources)


def _check_applies(
    fmt: str, layout: str, values: str, codebook: Path | None, moments: Path | None
) -> None:
    """Refuse an option the format does not use, before anything is read or written: it was
    passed over without a word (`--format jsonl --codebook FILE` wrote no codebook)."""
    if layout != "wide" and fmt != "csv":
        fail(f"--layout {layout} applies to --format csv only; {fmt} has one layout")
    if values != "codes" and fmt in ("redcap", "jsonl"):
        what = "REDCap imports codes" if fmt == "redcap" else "JSON Lines keeps the stored values"
        fail(f"--values {values} does not apply to --format {fmt}: {what}")
    if codebook is not None and fmt == "jsonl":
        fail("--codebook describes the columns of a table; --format jsonl has none")
    if moments is not None and fmt in ("sav", "dta"):
        fail(f"--moments is written with --format csv, jsonl or redcap, not {fmt}")


def _versions(
    request: ExportRequest,
    sources: list[StoreSource],
    instruments: Instruments,
    choose: Callable[[ExportRequest, list[StoreSource], Instruments], _R],
) -> _R:
    """`choose(request, sources, instruments)` (`choose_versions`, or `matching_refs` for
    JSON Lines); when it refuses, first say whether the folders lost ratings, since that may
    be why, and when nothing matched, which filter and what exists (`refuse_no_match`)."""
    from rating_tui.export.errors import ExportError
    from rating_tui.export.nomatch import NoMatch

    try:
        return choose(request, sources, instruments)
    except NoMatch as refused:
        refuse_no_match(refused, request, sources, instruments)
    except ExportError:
        for source in sources:  # every month parsed and counted, no rating kept
            for _ in source.records(lambda r: r, ()):
                pass
        warn_incomplete((s.warning() for s in sources), then=None)
        raise


def _write_stats(fmt: str, target: Path | None, *args: Any) -> list[str]:
    from rating_tui.export.errors import ExportError
    from rating_tui.export.job import rating_stream
    from rating_tui.export.merge import MergeReport
    from rating_tui.export.stats import write_stats

    request, sources, instruments, plan = args
    if target is None:
        raise ExportError(f"--format {fmt} writes a binary file: give one with -o FILE.{fmt}")
    report, merged_out = MergeReport(), dict[str, int]()
    ratings = rating_stream(request, sources, instruments, report, merged_out)
    notes: list[str] = []
    rows = write_stats(target, "sav" if fmt == "sav" else "dta", plan, ratings, notes)
    said = [f"note: {note}" for note in notes]
    counted = [*(s.tally.left_out for s in sources), merged_out]
    return [
        f"exported {rows} rating(s) to {target}",
        *said,
        *_merge_lines(report, len(sources)),
        *left_out(counted, request.selection),
    ]


def _named(path: Path) -> str:
    """How the summary names where a table went: "stdout" for "-", as for -o."""
    return "stdout" if str(path) == "-" else str(path)


def _replaced(path: Path | None, replaced: set[Path]) -> str:
    """Said after a file written over one that was there: an export never replaces silently
    (the app picks a new name instead; `-o FILE` on the command line names the file meant)."""
    return " (it replaced the file that was there)" if path in replaced else ""


def _write_codebook(path: Path, plan: Any, request: Any) -> None:
    from rating_tui.export.codebook import codebook_csv, codebook_markdown
    from rating_tui.outputs import atomic_write_text

    markdown = path.suffix.lower() in (".md", ".markdown")
    if markdown:
        text = codebook_markdown(plan, request.layout)
    else:
        text = "".join(codebook_csv(plan, request.layout, bom=request.excel))
    if str(path) == "-":  # standard output, as for -o and --moments (it made a file "-")
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(path, text)
