"""`rating-tui alerts` and `rating-tui report`: dyads that need attention, and a self-contained
HTML report for supervision.

Thin wrappers over `services.caseload` and `services.report`; everything heavy is imported
inside the commands, so `rating-tui --help` stays fast. Results go to stdout (or the file
given), the summary of what was read to stderr.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data, open_store
from rating_tui.cli.errors import code_option, day_option, fail, note_unusable, warn_incomplete

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument
    from rating_tui.services.caseload import CaseloadAlerts
    from rating_tui.store.api import Store

REPORT_EXTRA = "pip install 'rating-tui[report]'"


def _instruments(ctx: typer.Context) -> list[Instrument]:
    from rating_tui.instruments.catalogue import default_sources, discover

    extra = list(getattr(ctx.obj, "instruments", None) or [])
    catalogue = discover(default_sources(extra))
    note_unusable(catalogue.problems)
    return [li.instrument for li in catalogue.instruments]


def _summary(found: CaseloadAlerts, what: str, rater: str | None = None) -> list[str]:
    flagged = len(found.flagged)
    lines = [
        f"{len(found.alerts)} {what} in {flagged} of {len(found.dyads)} dyad(s), "
        f"from {found.ratings:,} final rating(s)"
    ]
    if rater is not None and (others := found.others_line(rater)) is not None:
        lines.append(others)
    for ref, count in sorted(found.unknown.items()):
        lines.append(
            f"left out {count:,} rating(s) of {ref}: no instruments folder holds that id "
            "(add it with --instruments DIR)"
        )
    for ref in found.without_rules:
        lines.append(f"{ref} defines no [[alerts]] rules: its dyads raise none")
    return lines


def _none_match(
    folder: Path, dyad: str | None, rater: str | None, found: CaseloadAlerts, store: Store
) -> str:
    """Why a --dyad or --rater filter found nothing; a rater that has no final rating here is
    named with the raters that do (codes match exactly, case included), and a code stored in
    another case is named as `export` and `ratings list` name it (`mw0001` said only "no
    final ratings", as if MW0001 had none)."""
    from rating_tui.cli.near_codes import other_case

    for line in other_case([store], dyad, rater, ("final",)):
        typer.echo(line, err=True)
    of = f" of dyad {dyad!r}" if dyad is not None else ""
    by = f" by {rater!r}" if rater is not None else ""
    text = f"no final ratings{of}{by} in {folder}"
    if rater is not None and found.ratings == 0 and found.other_raters:
        raters = sorted(found.other_raters)
        shown = ", ".join(raters[:12]) + (", ..." if len(raters) > 12 else "")
        text += f" (raters with final ratings there: {shown})"
    return text


def alerts(
    ctx: typer.Context,
    dyad: Annotated[str | None, typer.Option(help="Only this dyad.", metavar="DYAD")] = None,
    rater: Annotated[
        str | None, typer.Option(help="Only this rater's ratings.", metavar="RATER")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Every alert raised by a session on or after DATE (default: only each "
            "dyad's current alerts).",
            metavar="DATE",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON for scripts, one list.", metavar="")
    ] = False,
    data: DataOption = None,
) -> None:
    """Dyads that need attention, by the \\[\\[alerts]] rules of their instrument, newest first.

    Without --since: each dyad's current alerts (raised by its latest rated session, or a gap
    that runs up to today). Sessions rated by several raters count with their mean."""
    from rating_tui.services.caseload import caseload_alerts

    first = day_option(since, "--since")
    dyad, rater = code_option(dyad, "--dyad"), code_option(rater, "--rater")
    folder = data_folder(ctx, data)
    instruments = _instruments(ctx)
    if not holds_data(folder):
        typer.echo("[]" if as_json else f"No ratings in {folder} yet: no alerts.")
        return
    store = open_store(folder)
    with clear_errors():
        found = caseload_alerts(
            store, instruments, today=date.today(), rater=rater, since=first, dyad=dyad, full=False
        )
    if (dyad is not None or (rater is not None and not found.unknown)) and not found.dyads:
        warn_incomplete([found.tally.warning(folder)], then=None)
        fail(_none_match(folder, dyad, rater, found, store))
    pairs = found.alerts
    if as_json:
        typer.echo(json.dumps([a.to_json(ins.ref) for ins, a in pairs], ensure_ascii=False))
    elif not pairs:
        future = first is not None and first > date.today()
        note = f" ({first} is in the future: no session can have raised one yet)" if future else ""
        typer.echo("No alerts." if first is None else f"No alerts since {first}{note}.")
    else:
        for _, a in pairs:
            item = a.item or "-"
            typer.echo(f"{a.date}  {a.dyad:<8} {a.kind:<12} {item:<14} {a.message}")
    what = "current alert(s)" if first is None else f"alert(s) since {first}"
    for line in _summary(found, what, rater):
        typer.echo(line, err=True)
    warn_incomplete([found.tally.warning(folder)])


def report(
    ctx: typer.Context,
    output_given: Annotated[
        str, typer.Option("--output", "-o", help="HTML file to write.", metavar="FILE")
    ],
    dyad: Annotated[str | None, typer.Option(help="The dyad to report on.", metavar="DYAD")] = None,
    rater: Annotated[
        str | None,
        typer.Option(
            help="Only this rater's ratings; without --dyad, the rater's caseload page.",
            metavar="RATER",
        ),
    ] = None,
    notes: Annotated[
        bool,
        typer.Option(
            "--notes", help="Include the raters' notes (may hold clinical detail).", metavar=""
        ),
    ] = False,
    data: DataOption = None,
) -> None:
    """Write a self-contained HTML report for supervision (charts, alerts, now moments).

    With --dyad: the dyad's sessions, every item's course on its fixed scale spaced by date,
    its alerts, now moments, raters and the instrument's citation. With --rater alone: every
    dyad of the rater with its last session, trend and current alerts. Nothing in the file is
    fetched from a network; print it to PDF from any browser. Needs the `report` extra."""
    from rating_tui.services.report_charts import charts_available

    if not output_given.strip():  # Path("") is ".", the current folder: refused as such
        fail("-o is empty: give the name of the HTML file to write, such as report.html")
    output = Path(output_given)
    dyad, rater = code_option(dyad, "--dyad"), code_option(rater, "--rater")
    if dyad is None and rater is None:
        fail("give --dyad DYAD (a dyad's report) or --rater RATER (a caseload page)")
    if output.suffix.lower() not in (".html", ".htm"):
        fail(f"-o {output}: expected a file name ending in .html")
    if not charts_available():
        fail(f"the report needs the charting library pygal: install it with {REPORT_EXTRA}")
    from rating_tui.outputs import atomic_write_text
    from rating_tui.services import report as html
    from rating_tui.services.alerts import evaluate
    from rating_tui.services.caseload import caseload_alerts

    folder = data_folder(ctx, data)
    if not holds_data(folder):
        fail(f"no ratings in {folder} yet: nothing to report")
    store = open_store(folder)
    today = date.today()
    with clear_errors():
        found = caseload_alerts(store, _instruments(ctx), today=today, rater=rater, dyad=dyad)
    if not found.dyads:
        warn_incomplete([found.tally.warning(folder)], then=None)
        fail(_none_match(folder, dyad, rater, found, store))
    if dyad is not None:
        if len(found.dyads) > 1:
            ids = ", ".join(d.trajectory.instrument.ref for d in found.dyads)
            fail(f"dyad {dyad!r} is rated with several instruments ({ids}); not supported yet")
        from rating_tui.services.trajectory import dyad_drafts, dyad_trajectory

        ins = found.dyads[0].trajectory.instrument
        with clear_errors():
            trajectory = dyad_trajectory(store, ins, dyad, rater)  # with moments and notes
            drafts = dyad_drafts(store, ins, dyad, rater)
        alerts = evaluate(trajectory, today=today)
        left = found.left_out(found.dyads[0])
        text = html.dyad_report(
            trajectory, alerts, today=today, notes=notes, rater=rater, left_out=left,
            drafts=drafts,
        )  # fmt: skip
        what = f"dyad {dyad}: {len(trajectory.sessions)} session(s), {len(alerts)} alert(s)"
        if left:
            what += f" ({rater}'s ratings only; {left} by other raters left out)"
        if drafts:
            what += f" (final ratings only: {drafts} draft(s) left out)"
    else:
        assert rater is not None
        others = found.others_line(rater)
        text = html.caseload_report(
            rater, found.dyads, today=today, left_out=found.left_out, others=others
        )
        what = f"caseload of {rater}: {len(found.dyads)} dyad(s)"
        if others is not None:
            left = sum(found.left_out(d) for d in found.dyads)
            what += f" ({rater}'s ratings only; {left} by other raters left out)"
    try:
        replaced = output.is_file()  # said, as export says it
        atomic_write_text(output, text, mode=0o600)
    except OSError as exc:
        fail(f"cannot write {exc.filename or output}: {exc.strerror or exc}")
    notes_said = "" if dyad is None else (", notes included" if notes else ", notes left out")
    again = " (it replaced the file that was there)" if replaced else ""
    typer.echo(f"wrote the report of {what}{notes_said} to {output}{again}", err=True)
    warn_incomplete([found.tally.warning(folder)])
