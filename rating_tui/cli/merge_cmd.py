"""`rating-tui merge`: unite the ratings of several data folders into one, by rating id."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rating_tui.cli.errors import distinct_folders, fail, given_path, note_plain, warn_incomplete
from rating_tui.cli.export_cmd import _instruments, _merge_lines, open_sources


def merge(
    ctx: typer.Context,
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Data folders to read (not changed).",
            metavar="FOLDERS...",
            parser=given_path("a folder to read", "its name (. for the current folder)"),
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into",
            help="Data folder to merge into (made if new).",
            metavar="FOLDER",
            parser=given_path("--into", "the folder to merge into (. for the current one)"),
        ),
    ],
) -> None:
    """Unite the ratings of several data folders by rating id: identical copies collapse,
    diverged copies keep the newest with the other in its history."""
    from rating_tui.export.errors import ExportError
    from rating_tui.export.sources import merge_folders
    from rating_tui.store import Store, StoreError

    own = (into / "store.json").is_file()  # its ratings are read and merged too: counted
    _refuse_foreign_into(into, own)
    try:
        instruments = _instruments(ctx)
        opened = open_sources(distinct_folders(sources, into), instruments)
        target = Store.open(into)
        note_plain(into, target.encrypted)
        report, added = merge_folders(opened, target, instruments)
    except (ExportError, StoreError) as exc:
        # one transaction (`Store.merge_batches`, however many batches): a refusal of one
        # rating stores none, and "rating X was not saved" alone read as if the others had been
        fail(f"{exc}\nnothing was merged into {into}: a merge stores all of its ratings or none")
    read = len(sources) + own
    lines = _merge_lines(report, max(2, read))
    if read == 1:  # one folder into a new one: "merged 2 data folders" counted one too many
        lines[0] = lines[0].replace("merged 2 data folders: ", "merged 1 data folder: ", 1)
    if own and lines:  # "merged 2 data folders: read 900" counted 3 folders' ratings
        lines[0] = lines[0].replace(" data folders: ", f" data folders ({into} included): ", 1)
    for line in lines:
        typer.echo(line, err=True)
    typer.echo(f"added or updated {added} rating(s) in {into}", err=True)
    warn_incomplete(s.warning() for s in opened)


def _refuse_foreign_into(into: Path, own: bool) -> None:
    """`--into` a folder that holds other files and no data (`--into ~/Documents` by mistake)
    is refused: the merge made it a data folder without a word, its ratings mixed in with the
    user's own files. A missing or empty folder is made a data folder, as the help says."""
    if own or not into.is_dir():
        return  # a data folder, or a new one; a file is refused by the store in words
    try:
        foreign = sorted(p.name for p in into.iterdir())
    except OSError as exc:
        fail(f"{into}: {exc.strerror or exc}\nnothing was merged into {into}")
    if foreign and not (into / "ratings").is_dir():
        more = len(foreign) - 3
        shown = ", ".join(foreign[:3]) + (f" and {more} more" if more > 0 else "")
        fail(
            f"{into} is not a rating-tui data folder (no store.json) and is not empty: it holds "
            f"{shown}\nnothing was merged into {into}: give a data folder, a new folder or an "
            "empty one"
        )
