"""`rating-tui ratings ...`: list ratings, show one with its history; `import` lives in
`ratings_import_cmd`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, cast

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data, open_store
from rating_tui.cli.errors import code_option, fail, warn_incomplete
from rating_tui.cli.near_codes import no_such_instrument, other_case
from rating_tui.cli.ratings_import_cmd import (
    IMPORT_HELP,
    catalogue_of,
    import_ratings,
    instrument_of,
)

if TYPE_CHECKING:
    from rich.console import Console

    from rating_tui.instruments.catalogue import Catalogue
    from rating_tui.instruments.model import Instrument
    from rating_tui.ratings.model import Rating, Status
    from rating_tui.store.api import Store

ratings_app = typer.Typer(help="Import, list and show ratings.", no_args_is_help=True)
ratings_app.command("import", help=IMPORT_HELP)(import_ratings)


@ratings_app.command("list")
def list_ratings(
    ctx: typer.Context,
    data: DataOption = None,
    dyad: Annotated[str | None, typer.Option(help="Only this dyad code.", metavar="DYAD")] = None,
    rater: Annotated[str | None, typer.Option(help="Only this rater.", metavar="RATER")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First session date.", metavar="DATE")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last session date.", metavar="DATE")
    ] = None,
    instrument: Annotated[
        str | None,
        typer.Option(
            help="Only this instrument id (any version) or id@version.", metavar="ID[@VERSION]"
        ),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            help="draft, final or voided; repeatable  \\[default: final]", metavar="STATUS"
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most N ratings; 0 for all.", metavar="N")] = 50,
) -> None:
    """List ratings, newest session first: id, date, dyad, session, rater, status, progress."""
    from rich.box import SIMPLE
    from rich.table import Table
    from rich.text import Text

    from rating_tui.ratings.model import STATUSES
    from rating_tui.safetext import escape_line
    from rating_tui.store.tally import Tally

    first, last = _day(date_from, "--from"), _day(date_to, "--to")
    dyad, rater = code_option(dyad, "--dyad"), code_option(rater, "--rater")
    if first and last and first > last:
        fail(f"--from {first} is after --to {last}")
    wanted = status or ["final"]
    for s in wanted:
        if s not in STATUSES:
            fail(f"--status {s!r} is not a status; choose from {', '.join(STATUSES)}")
    if limit < 0:
        fail(f"--limit must be 0 (all) or more, not {limit}")
    if instrument is not None and not instrument.strip():  # "No instrument file has : ..."
        fail("--instrument is empty: give ID or ID@VERSION, or leave it out for all")
    if instrument is not None:  # `paris@`, ` paris`: refused in words, not "No ratings"
        from rating_tui.export.errors import ExportError
        from rating_tui.export.select import parse_instrument_option

        try:
            parse_instrument_option(instrument)
        except ExportError as exc:
            fail(str(exc))
    folder = data_folder(ctx, data)
    if not holds_data(folder):
        typer.echo(f"No ratings: {folder} does not exist yet or is empty.")
        return
    store = open_store(folder)
    tally = Tally()
    with clear_errors():
        found = store.list(
            dyad=dyad, rater=rater, date_from=first, date_to=last, instrument=instrument,
            statuses=cast("list[Status]", wanted), limit=limit + 1 if limit else None,
            tally=tally,
        )  # fmt: skip
    more = bool(limit) and len(found) > limit  # one more than shown: the list is cut
    found = found[:limit] if more else found
    if not found:
        typer.echo(f"No ratings in {folder} match.")
        known = catalogue_of(ctx).instruments
        missing = no_such_instrument(
            instrument, lambda i: [li.instrument.version for li in known if li.instrument.id == i]
        )
        if missing:
            typer.echo(missing.strip(" ()").replace("and no", "No", 1) + ".")
        for line in other_case(
            [store], dyad, rater, cast("list[Status]", wanted),
            date_from=first, date_to=last, instrument=instrument,
        ):  # fmt: skip
            typer.echo(line)
        other = [s for s in STATUSES if s not in wanted]
        if other:  # "No ratings match" of a dyad whose ratings are all drafts
            with clear_errors():
                held = store.list(
                    dyad=dyad, rater=rater, date_from=first, date_to=last,
                    instrument=instrument, statuses=other, limit=None,
                )  # fmt: skip
            if held:
                typer.echo(f"{_by_status(held)} match the other filters (--status chooses).")
        warn_incomplete([tally.warning(folder)])
        return
    catalogue = catalogue_of(ctx)
    rows = []
    for r in found:
        ins = _instrument(catalogue, r, store)
        keys = _role_keys(ins)
        required = [i.key for i in ins.items if i.required] if ins else None
        done = sum(key in r.answers for key in required) if required else len(r.answers)
        cells = [str(r.session.get(keys[role], "")) for role in _ROLES]
        progress = f"{done}/{len(required)}" if required is not None else f"{done}/?"
        rows.append([r.id[:8], *map(escape_line, cells), r.instrument.ref, r.status, progress])
    refs = sorted({row[5] for row in rows})
    names = ["id", "date", "dyad", "#", "rater", "instrument", "status", "done"]
    if len(refs) == 1:  # one instrument version (the usual case): named once, in the title
        names.pop(5)
        rows = [row[:5] + row[6:] for row in rows]
    title = (
        f"the newest {len(found)} rating(s); more match (--limit 0 lists all)"
        if more
        else f"{len(found)} rating(s), newest first"
    ) + (f", all {refs[0]}" if len(refs) == 1 else "")
    table = Table(box=SIMPLE, pad_edge=False)
    for n, name in enumerate(names):
        widest = max(len(name), *(len(row[n]) for row in rows))
        fold = name == "instrument"
        table.add_column(
            name, overflow="fold" if fold else "ellipsis", min_width=None if fold else widest,
            justify="right" if name == "#" else "left",
        )  # fmt: skip
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = _console()
    console.print(Text(title, style="bold"))
    console.print(table)
    warn_incomplete([tally.warning(folder)])


@ratings_app.command("show")
def show(
    ctx: typer.Context,
    rating_id: Annotated[
        str, typer.Argument(metavar="ID", help="A rating id, or its first 4 or more characters.")
    ],
    data: DataOption = None,
) -> None:
    """Show one rating: session fields, items, now moments, notes and every revision."""
    folder = data_folder(ctx, data)
    if not holds_data(folder):
        fail(f"no rating {rating_id!r}: {folder} does not exist yet or is empty")
    store = open_store(folder)
    with clear_errors():
        rating = store.get(store.resolve_id(rating_id))
    from rating_tui.views.rating_view import rating_view

    _console().print(rating_view(rating, _instrument(catalogue_of(ctx), rating, store)))


# --- helpers ----------------------------------------------------------------------------------


def _instrument(catalogue: Catalogue, rating: Rating, store: Store) -> Instrument | None:
    """The instrument version `rating` was made with: its file, or the copy the data folder
    keeps of the exact content (without it, `show` printed keys for labels and `list` a
    progress of `n/?` when the file was lost or no longer given with --instruments)."""
    return instrument_of(catalogue, rating) or store.kept_instrument(rating.instrument.hash)


_ROLES = ("session_date", "dyad", "session_number", "rater")


def _console() -> Console:
    from rich.console import Console

    return Console()


def _day(text: str | None, option: str) -> date | None:
    from rating_tui.cli.errors import day_option

    return day_option(text, option)


def _by_status(ratings: list[Rating]) -> str:
    """`3 draft(s) and 1 voided rating(s)`."""
    kinds = {"draft": "draft(s)", "voided": "voided rating(s)", "final": "final rating(s)"}
    counts: dict[str, int] = {}
    for r in ratings:
        counts[r.status] = counts.get(r.status, 0) + 1
    return " and ".join(f"{n} {kinds[s]}" for s, n in sorted(counts.items()))


def _role_keys(instrument: Instrument | None) -> dict[str, str]:
    """Role -> session field key; the role names themselves (as in the built-in instrument)
    when the instrument is not at hand."""
    fields = instrument.fields if instrument else []
    return {r: next((f.key for f in fields if f.role == r), r) for r in _ROLES}
