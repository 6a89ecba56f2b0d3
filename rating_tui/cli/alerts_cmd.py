"""`rating-tui alerts` and `rating-tui report`: dyads that need attention, and a self-contained
HTML report for supervision.

Thin wrappers over `services.caseload` and `services.report`; everything heavy is imported
inside the commands, so `rating-tui --help` stays fast. Results go to stdout (or the file
given), the summary of what was read to stderr.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data, open_store
from rating_tui.cli.errors import fail

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument
    from rating_tui.services.caseload import CaseloadAlerts

REPORT_EXTRA = "pip install 'rating-tui[report]'"


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected a date like 2026-01-31")


def _instruments(ctx: typer.Context) -> list[Instrument]:
    from rating_tui.instruments.catalogue import default_sources, discover

    extra = list(getattr(ctx.obj, "instruments", None) or [])
    return [li.instrument for li in discover(default_sources(extra)).instruments]


def _summary(found: CaseloadAlerts, what: str) -> list[str]:
    flagged = len(found.flagged)
    lines = [
        f"{len(found.alerts)} {what} in {flagged} of {len(found.dyads)} dyad(s), "
        f"from {found.ratings:,} final rating(s)"
    ]
    for ref, count in sorted(found.unknown.items()):
        lines.append(
            f"left out {count:,} rating(s) of {ref}: no instruments folder holds that id "
            "(add it with --instruments DIR)"
        )
    for ref in found.without_rules:
        lines.append(f"{ref} defines no [[alerts]] rules: its dyads raise none")
    return lines


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
    """Dyads that need attention, by the [[alerts]] rules of their instrument, newest first.

    Without --since: each dyad's current alerts (raised by its latest rated session, or a gap
    that runs up to today). Sessions rated by several raters count with their mean."""
    from rating_tui.services.caseload import caseload_alerts

    first = _day(since, "--since")
    folder = data_folder(ctx, data)
    instruments = _instruments(ctx)
    if not holds_data(folder):
        typer.echo("[]" if as_json else f"No ratings in {folder} yet: no alerts.")
        return
    store = open_store(folder)
    with clear_errors():
        found = caseload_alerts(
            store, instruments, today=date.today(), rater=rater, since=first, dyad=dyad
        )
    if dyad is not None and not found.dyads:
        fail(f"no final ratings of dyad {dyad!r} in {folder}" + (f" by {rater}" if rater else ""))
    pairs = found.alerts
    if as_json:
        typer.echo(json.dumps([a.to_json(ins.ref) for ins, a in pairs], ensure_ascii=False))
    elif not pairs:
        typer.echo("No alerts." if first is None else f"No alerts since {first}.")
    else:
        for _, a in pairs:
            item = a.item or "-"
            typer.echo(f"{a.date}  {a.dyad:<8} {a.kind:<12} {item:<14} {a.message}")
    what = "current alert(s)" if first is None else f"alert(s) since {first}"
    for line in _summary(found, what):
        typer.echo(line, err=True)
