"""`rating-tui restore BACKUP`: put a month back as one of its daily backups held it, saying
first which ratings that brings back and which it would lose, and offering to re-merge the
newer ones (the ratings saved, or edited, after the backup was taken).

Nothing is silent: the lists are printed before anything changes, the restore needs a yes
(or --yes), the ratings at risk are re-merged or lost only as asked (--remerge /
--no-remerge, or a question), and the summary counts restored, re-merged and lost ratings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data, open_store
from rating_tui.cli.errors import fail

if TYPE_CHECKING:
    from pathlib import Path

    from rating_tui.store.restore import Listed, RestorePlan

_SHOWN = 20


def restore(
    ctx: typer.Context,
    backup: Annotated[
        str,
        typer.Argument(
            help="The backup: its file (as doctor names it), a month (its newest backup), or "
            "MONTH/DATE, e.g. 2025-03/2025-04-02.",
            show_default=False,
            metavar="BACKUP",
        ),
    ],
    data: DataOption = None,
    remerge: Annotated[
        bool | None,
        typer.Option(
            "--remerge/--no-remerge",
            help="Keep (--remerge) or drop the ratings saved or edited since the backup; "
            "asked when not given and there are any.",
            show_default=False,
            metavar="",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Restore without asking.", metavar="")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Only list what the restore would do.", metavar=""),
    ] = False,
) -> None:
    """Restore a month of ratings from one of its daily backups.

    Lists, by id, dyad, session and rater, the ratings the backup brings back, those stored
    now but absent from it and those stored in a newer version, then asks; the newer ones
    can be re-merged in the same all-or-nothing change. The month as it was is kept beside
    its backups."""
    if not backup.strip():  # read as the current folder: "... is not a daily backup"
        fail(f"BACKUP is empty ({backup!r}): give a month, MONTH/DATE or a backup's file")
    folder = data_folder(ctx, data)
    _not_a_day(backup, folder)
    _not_a_month(backup)
    if not holds_data(folder):
        fail(f"{folder} holds no ratings yet, so it has no backups; nothing was changed")
    store = open_store(folder)
    with clear_errors():
        plan = store.restore_plan(backup)
    _show(plan)
    if dry_run:
        typer.echo("Dry run: nothing was changed.")
        return
    if not plan.at_risk:
        remerge = False
    elif remerge is None:
        remerge = _ask(
            f"Re-merge the {len(plan.at_risk)} rating(s) saved or edited since the backup "
            "(keep them)?",
            default=True,
        )
    if not yes and not _ask(f"Restore {plan.shard} from {plan.day}?", default=False):
        fail("nothing was restored (not confirmed; add --yes to restore without asking)")
    with clear_errors():
        result = store.restore(plan, remerge=remerge)
    kept = f"\nThe month as it was is kept in {result.kept}." if result.kept else ""
    typer.echo(
        f"Restored {plan.shard} from the backup of {plan.day}: {result.restored} rating(s) "
        f"restored, {result.remerged} re-merged, {result.lost} lost, {result.unchanged} "
        f"unchanged.{kept}"
    )


def _show(plan: RestorePlan) -> None:
    from rating_tui.store.layout import is_part

    month, _, digits = plan.shard.partition(".")
    what = f"the month {month}"
    if digits:  # a part filled in order, or one holding the ids starting with its digits
        what = f"the part {plan.shard} of {month}" + (
            "" if is_part(plan.shard) else f" (ids {digits}...)"
        )
    # not "at the start of the day": a month first saved that day is backed up at its
    # second save, holding what the first one wrote (a draft, say)
    typer.echo(
        f"Backup {plan.backup} ({what} before its first change of {plan.day}; "
        "if it was first saved that day, as that first save left it)."
    )
    if plan.unreadable:
        typer.echo(f"The month cannot be read now: {plan.unreadable}")
    _section("Brought back by the restore (missing or older now)", plan.restored)
    _section("Stored now but not in the backup: lost unless re-merged", plan.added_since)
    _section("Newer now than in the backup: reverted unless re-merged", plan.newer_now)
    _section("In the backup, stored in another month now: left there", plan.elsewhere)
    if plan.still_missing:
        ids = ", ".join(plan.still_missing[:_SHOWN])
        more = " ..." if len(plan.still_missing) > _SHOWN else ""
        typer.echo(
            f"{len(plan.still_missing)} rating(s) the index places in this month are in "
            f"neither the month nor this backup (an older backup may hold them): {ids}{more}"
        )
    typer.echo(f"{plan.unchanged} rating(s) are the same now and in the backup.")


def _section(title: str, listed: list[Listed]) -> None:
    if not listed:
        return
    typer.echo(f"{title}: {len(listed)}")
    for entry in listed[:_SHOWN]:
        typer.echo(f"  {entry}")
    if len(listed) > _SHOWN:
        typer.echo(f"  ... and {len(listed) - _SHOWN} more")


def _ask(question: str, *, default: bool) -> bool:
    try:
        return typer.confirm(question, default=default)
    except typer.Abort:
        fail("nothing was restored (no answer; give --remerge or --no-remerge, and --yes)")


_NOTHING = "; nothing was changed"


def _not_a_day(backup: str, folder: Path) -> None:
    """A day alone (2023-02-15) was read as a file of the current folder ("./2023-02-15 is
    not a daily backup"): say that a backup is named by its month, with the day after it."""
    import re

    from rating_tui.ratings.dates import impossible_date

    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", backup.strip()) and not (folder / backup).exists():
        month = backup.strip()[:7]
        why = impossible_date(backup)
        fail(
            f"{backup!r} is a day; a backup is named by its month: {month} (its newest backup) "
            f"or {month}/DATE, e.g. {month}/{month + '-01' if why else backup.strip()}"
            + (f" ({why})" if why else "")
            + "; nothing was changed"
        )


def _not_a_month(backup: str) -> None:
    """A month, or MONTH/DATE, written otherwise (2023-3, 2023-13, ' 2023-03',
    2023-03/2023-02-30) was read as a file of the current folder and refused naming a path
    never typed ("/home/me/2023-3 is not a daily backup"): say what is wrong with it."""
    import re
    from pathlib import Path

    from rating_tui.ratings.dates import impossible_date

    if Path(backup).exists():  # a file of that name: the store judges it
        return
    month, slash, day = backup.partition("/")
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", month.strip())
    if found is None:
        return
    year, number = found.group(1), int(found.group(2))
    if month != month.strip() or day != day.strip():
        meant = f"{month.strip()}{slash}{day.strip()}"
        fail(f"{backup!r} has a space at an end, which no backup's name has ({meant}?){_NOTHING}")
    if not 1 <= number <= 12:
        fail(f"{backup!r}: there is no month {number}; a backup is named by its month{_NOTHING}")
    if len(found.group(2)) != 2:
        fail(f"{backup!r}: write the month as {year}-{number:02d}{_NOTHING}")
    why = impossible_date(day.removesuffix(".json")) if day else None
    if why:
        fail(f"{why}; a backup is named MONTH/DATE, e.g. {month}/{month}-01{_NOTHING}")
