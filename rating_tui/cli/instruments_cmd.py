"""`rating-tui instruments ...`: list, show, validate, new, schema.

The instrument modules (pydantic) and Rich are imported inside the commands that need them:
`--help` stays fast, and `validate`, which editors and CI scripts run often, writes plain
(click-styled) lines without loading Rich at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rating_tui.cli.errors import fail, given_path, note_unusable, output_file

if TYPE_CHECKING:
    from rich.console import Console

    from rating_tui.instruments.catalogue import Catalogue


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr)


def _catalogue(ctx: typer.Context, reuse: Catalogue | None = None) -> Catalogue:
    from rating_tui.instruments.catalogue import default_sources, discover

    extra: list[Path] = ctx.obj.instruments if ctx.obj is not None else []
    return discover(default_sources(extra), reuse)


def list_instruments(ctx: typer.Context) -> None:
    """List the instruments found: id, version, title, source folder, item count."""
    catalogue = _catalogue(ctx)
    console = _console()
    widest = max((len(li.instrument.id) for li in catalogue.instruments), default=0)
    if widest + TABLE_ROOM > console.width:
        _list_stacked(catalogue, console)
    else:
        _list_table(catalogue, console)
    if catalogue.problems:
        files = len({p.file for p in catalogue.problems})
        _console(stderr=True).print(
            f"[yellow]{files} file(s) could not be used[/]; "
            "see them with [bold]rating-tui instruments validate[/]"
        )


TABLE_ROOM = 54
"""Columns the table needs besides the id (version, items, borders, and about 16 each for
title and source): below that the list is stacked, so that no id is cut and no title hidden."""


def _list_stacked(catalogue: Catalogue, console: Console) -> None:
    """One instrument per block: `id version · N items` on its own line (never split), then
    its title and its source folder, wrapped."""
    from rich.markup import escape
    from rich.text import Text

    from rating_tui.safetext import escape as shown

    console.print("Instruments", style="italic")
    for li in catalogue.instruments:
        ins = li.instrument
        head = Text(ins.id, style="bold").append(f" {ins.version} · {len(ins.items)} items")
        console.print(head, no_wrap=True, overflow="ignore", crop=False)
        console.print(Text(f"  {shown(ins.title)}"), overflow="fold")
        console.print(f"  {li.source}: {escape(str(li.path.parent))}", overflow="fold")


def _list_table(catalogue: Catalogue, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    from rating_tui.safetext import escape as shown

    table = Table(title="Instruments", title_justify="left", expand=False)
    table.add_column("id", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("title", ratio=1)
    table.add_column("source", ratio=1, overflow="fold")
    table.add_column("items", justify="right")
    for li in catalogue.instruments:
        ins = li.instrument
        table.add_row(
            ins.id,
            ins.version,
            escape(shown(ins.title)),
            f"{li.source}: {escape(str(li.path.parent))}",
            str(len(ins.items)),
        )
    console.print(table)


def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="ID or ID@VERSION (newest version when omitted).")],
) -> None:
    """Show an instrument: session fields, items, scales and anchors."""
    from rating_tui.views.instrument_view import instrument_view

    catalogue = _catalogue(ctx)
    # Files that could not be used are named, as `list` does: the one shown may not be the file
    # just edited (another file claims its version), and the one asked for may be broken.
    try:
        loaded = catalogue.get(ref)
    except LookupError as exc:
        note_unusable(catalogue.problems)
        fail(str(exc))
    _console().print(instrument_view(loaded))
    note_unusable(catalogue.problems)


def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to check (default: every instrument found).",
            show_default=False,
            metavar="PATHS...",
            parser=given_path("a path to check", "a file or folder, or none to check all"),
        ),
    ] = None,
) -> None:
    """Check instrument files and report every problem; exit 1 when any file is invalid."""
    from rating_tui.instruments.catalogue import Source, discover, find_conflicts

    if paths:
        catalogue = discover(Source(p, "argument") for p in paths)
        catalogue.problems += find_conflicts(catalogue, _catalogue(ctx, reuse=catalogue))
    else:
        catalogue = _catalogue(ctx)
    bad = {p.file for p in catalogue.problems}
    # a file that parses but claims a version known with other content is not "ok": it was
    # printed as ok and as an error, and counted as valid
    valid = [li for li in catalogue.instruments if str(li.path) not in bad]
    for li in valid:
        typer.echo(
            f"{typer.style('ok', fg='green')}    {li.path}: {li.ref} "
            f"({len(li.instrument.items)} items, sha256 {li.content_hash[:12]})"
        )
    for problem in catalogue.problems:
        typer.echo(f"{typer.style('error', fg='red')} {problem}", err=True)
    summary = (
        f"{catalogue.files_read} file(s) read: {len(valid)} valid instrument(s), "
        f"{len(catalogue.problems)} problem(s) in {len(bad)} file(s)"
    )
    if catalogue.problems or not catalogue.files_read:
        typer.echo(summary if catalogue.files_read else "no instrument files found", err=True)
        raise typer.Exit(1)
    typer.echo(summary)


def new(
    path: Annotated[
        Path,
        typer.Argument(
            help="Where to write the starter file.",
            metavar="PATH",
            parser=given_path("PATH", "the name of the file to write"),
        ),
    ] = Path("my-instrument.toml"),
    instrument_id: Annotated[
        str,
        typer.Option(
            "--id", help="The new instrument's id (lower case, - _ . allowed).", metavar="ID"
        ),
    ] = "my-instrument",
    title: Annotated[
        str, typer.Option(help="The new instrument's title.", metavar="TITLE")
    ] = "My instrument",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.", metavar="")] = False,
) -> None:
    """Write a commented starter instrument file to edit."""
    from rating_tui.instruments.problems import InstrumentError
    from rating_tui.instruments.starter import starter_text
    from rating_tui.outputs import atomic_write_text
    from rating_tui.paths import user_instruments_dir

    text = starter_text(instrument_id, title)
    try:
        from rating_tui.instruments.loader import parse_instrument

        parse_instrument(text, str(path))
    except InstrumentError as exc:
        fail(f"cannot make a starter file with these values:\n{exc}")
    if path.is_dir():
        fail(f"{path} is a folder; give a file name such as {path / 'my-instrument.toml'}")
    if path.suffix != ".toml":  # the app reads *.toml only: it was passed over unsaid
        fail(
            f"{path}: instrument files end in .toml (the app reads only those); give a name "
            f"such as {path.with_suffix('.toml').name}"
        )
    if path.exists() and not force:
        fail(f"{path} already exists; choose another name or add --force")
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    typer.echo(f"Wrote {path}. Next:")
    typer.echo(f"  edit it, then check it:  rating-tui instruments validate {path}")
    typer.echo(f"  use it in the app: copy it into {user_instruments_dir()}")


def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file instead of stdout.",
            metavar="FILE",
            parser=output_file("-o"),
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of the instrument format (for editors such as Taplo/VS Code)."""
    from rating_tui.instruments.schema import schema_json
    from rating_tui.outputs import atomic_write_text

    text = schema_json()
    if output is None:
        typer.echo(text)
        return
    try:
        replaced = output.is_file()  # said, as export says it
        atomic_write_text(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(
        f"Wrote {output}" + (" (it replaced the file that was there)" if replaced else ""), err=True
    )


def _redcap(name: str) -> Callable[..., None]:
    """REDCap dictionary commands live with the other interchange code (cli/redcap_cmd.py)."""
    from rating_tui.cli import redcap_cmd

    command: Callable[..., None] = getattr(redcap_cmd, name)
    return command


_COMMANDS: dict[str, Callable[[], Callable[..., None]]] = {
    "list": lambda: list_instruments,
    "show": lambda: show,
    "validate": lambda: validate,
    "new": lambda: new,
    "schema": lambda: schema,
    "import-redcap": lambda: _redcap("import_redcap"),
    "export-redcap": lambda: _redcap("export_redcap"),
}
"""Every `instruments` command (in `--help` order), imported only when registered."""


def instruments_app(only: str | None = None) -> typer.Typer:
    """The `instruments` group: every command, or just `only` when it names one.

    Typer builds the parameters of every registered command before running one, and the
    REDCap commands import the export code: `validate`, run often by editors and CI, skips both.
    """
    group = typer.Typer(
        help="Write, check and inspect rating instruments (TOML files).", no_args_is_help=True
    )
    for name, command in _COMMANDS.items():
        if only not in _COMMANDS or name == only:
            group.command(name)(command())
    return group
