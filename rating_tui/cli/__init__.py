"""The `rating-tui` command line: Typer app, global options, and error handling.

Heavy imports (pydantic models, Textual) happen inside the commands that need them, and
`main` builds only the command it is asked for (Typer builds every registered command's
parameters at start), so `rating-tui --help` and the scripted commands start fast. `app` (the
whole command line) is built on first access, for tests and documentation. Every expected
failure goes through `errors.fail`: one clear line on stderr and exit code 1; no bad input
ends in a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated

import typer

from rating_tui import __version__


@dataclass
class Settings:
    """Global options, handed to every command through the Typer context."""

    data: Path | None = None
    instruments: list[Path] = field(default_factory=list)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rating-tui {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help="Ratings data folder (default: $RATING_TUI_DATA or your per-user data folder).",
            show_default=False,
            metavar="FOLDER",
        ),
    ] = None,
    instruments: Annotated[
        list[str] | None,
        typer.Option(
            "--instruments",
            help="Also read instruments from this folder "
            "(repeatable; also $RATING_TUI_INSTRUMENTS).",
            show_default=False,
            metavar="FOLDER",
        ),
    ] = None,
    lock_after: Annotated[
        int | None,
        typer.Option(
            "--lock-after",
            min=0,
            max=24 * 60,  # idle.MAX_MINUTES (not imported: start-up time)
            help="Lock the app of an encrypted data folder after this many minutes without a "
            "key press, and ask for its passphrase again (0: never; default: "
            "$RATING_TUI_LOCK_AFTER, else 10).",
            show_default=False,
            metavar="MINUTES",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version.", metavar=""
        ),
    ] = False,
) -> None:
    """Open the app when no command is given."""
    if data is not None or instruments:  # an empty one was read as ".", the current folder
        from rating_tui.cli.data_cmd import folder_given

        ctx.obj = Settings(
            data=None if data is None else folder_given(data, "--data"),
            instruments=[folder_given(i, "--instruments") for i in instruments or []],
        )
    else:
        ctx.obj = Settings()
    if data is None:
        from rating_tui.paths import data_env_problem

        if problem := data_env_problem():  # "   " was read as a folder of that name
            from rating_tui.cli.errors import fail

            fail(problem)
    if ctx.invoked_subcommand is not None:  # the app cannot prompt on its terminal
        from rating_tui import passphrase

        passphrase.set_reader(passphrase.terminal_reader)
    if ctx.invoked_subcommand is None:
        from rating_tui.cli.errors import fail
        from rating_tui.tui.idle import lock_after as idle_setting
        from rating_tui.tui.launch import launch  # Textual is imported only here

        try:
            setting = idle_setting(lock_after)
        except ValueError as exc:
            fail(str(exc))
        launch(ctx.obj.data, ctx.obj.instruments, lock_after=setting)


def demo(
    ctx: typer.Context,
    count: Annotated[
        int, typer.Option(min=1, max=20_000, help="How many ratings.", metavar="N")
    ] = 600,  # data_cmd.DEMO_COUNT (not imported: start-up time)
    seed: Annotated[int, typer.Option(help="Same seed, same data.", metavar="N")] = 1,
) -> None:
    """Open the app on a temporary data folder filled with synthetic ratings.

    Nothing is written to your real data folder or preferences; the folder is deleted when
    the app closes.
    """
    import tempfile
    from datetime import date

    from rating_tui.services.demo import RECENT_END_LAG, builtin_instrument, fill_demo_data
    from rating_tui.store.api import Store

    with tempfile.TemporaryDirectory(prefix="rating-tui-demo-") as tmp:
        folder = Path(tmp) / "data"
        typer.echo(f"Making {count} demo ratings in a temporary folder…", err=True)
        end = date.today() - RECENT_END_LAG  # recent sessions, so Home shows drafts to resume
        fill_demo_data(Store.open(folder), builtin_instrument(), count, seed, end=end)
        from rating_tui.tui.launch import launch  # Textual is imported only here

        launch(
            None,
            ctx.obj.instruments,
            store_dir=folder,
            prefs_file=Path(tmp) / "prefs.json",
            temporary=True,
        )
    typer.echo(
        "The demo folder was deleted, with every rating made or changed in the demo.", err=True
    )


def _instruments(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli.instruments_cmd import instruments_app

    app.add_typer(instruments_app(sub), name="instruments")


def _ratings(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli.ratings_cmd import ratings_app

    app.add_typer(ratings_app, name="ratings")


def _dyads(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli.dyads_cmd import dyads_app

    app.add_typer(dyads_app, name="dyads")


def _export(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli import export_cmd, merge_cmd

    app.command("export")(export_cmd.export)
    app.command("merge")(merge_cmd.merge)


def _alerts(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli import alerts_cmd

    app.command("alerts")(alerts_cmd.alerts)
    app.command("report")(alerts_cmd.report)


def _data(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli import data_cmd, restore_cmd

    app.command("doctor")(data_cmd.doctor)
    app.command("restore")(restore_cmd.restore)
    app.command("demo-data")(data_cmd.demo_data)
    app.command("demo")(demo)


def _security(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli import audit_cmd, encrypt_cmd

    app.command("audit")(audit_cmd.audit)
    app.command("encrypt")(encrypt_cmd.encrypt)
    app.command("passphrase")(encrypt_cmd.change)


def _analysis(app: typer.Typer, sub: str | None = None) -> None:
    from rating_tui.cli import analysis_cmd

    app.command("agreement")(analysis_cmd.agreement)
    app.command("calibrate")(analysis_cmd.calibrate)


_GROUPS: list[tuple[tuple[str, ...], Callable[[typer.Typer, str | None], None]]] = [
    (("instruments",), _instruments),
    (("ratings",), _ratings),
    (("dyads",), _dyads),
    (("export", "merge"), _export),
    (("agreement", "calibrate"), _analysis),
    (("alerts", "report"), _alerts),
    (("doctor", "restore", "demo-data", "demo"), _data),
    (("audit", "encrypt", "passphrase"), _security),
]
"""Every command, with the function that registers it (in `--help` order)."""


def create_app(only: str | None = None, sub: str | None = None) -> typer.Typer:
    """The command line with every command, or with just the command named `only` (and, for
    a command group, its subcommand `sub`: an unknown `sub` registers all of them)."""
    from rating_tui.cli.once import OnceGroup, strict

    cli = typer.Typer(
        cls=OnceGroup,
        name="rating-tui",
        help="Rate mother-infant psychotherapy sessions on the seven concepts of therapeutic "
        "change.\n\nRun without a command to open the app.",
        no_args_is_help=False,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode="rich",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    cli.callback(invoke_without_command=True)(root)
    for names, register in _GROUPS:
        if only is None or only in names:
            register(cli, sub)
    return strict(cli)


@cache
def _full_app() -> typer.Typer:
    return create_app()


def __getattr__(name: str) -> typer.Typer:
    """`rating_tui.cli.app`: the whole command line, built on first use."""
    if name == "app":
        return _full_app()
    raise AttributeError(name)


_VALUED = {"--data", "--instruments", "--lock-after"}


def _command_words(argv: list[str]) -> list[str]:
    """The command `argv` asks for and the word after it (a group's subcommand), skipping the
    root options and their values."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUED and not words:
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
            if len(words) == 2:
                break
    return words


def hoist_instruments(argv: list[str]) -> list[str]:
    """`argv` with every `--instruments DIR` given after the command moved before it, where
    the root command reads it: `--instruments` is then taken wherever `--data` is (and after
    any other command), rather than refused as an unknown option of the command."""
    command, skip = None, False
    for n, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            command = n
            break
    if command is None:
        return argv
    front, moved, rest = argv[:command], [], []
    tail = iter(argv[command:])
    for arg in tail:
        if arg == "--":
            rest += [arg, *tail]
        elif arg == "--instruments":
            value = next(tail, None)
            moved += [arg] if value is None else [arg, value]
        elif arg.startswith("--instruments="):
            moved.append(arg)
        else:
            rest.append(arg)
    return [*front, *moved, *rest]


def main() -> None:
    """Console-script entry point."""
    sys.argv[1:] = hoist_instruments(sys.argv[1:])
    words: list[str | None] = [*_command_words(sys.argv[1:]), None, None]
    name, sub = words[0], words[1]
    known = any(name in names for names, _ in _GROUPS)
    try:
        (create_app(name, sub) if known else create_app())()
    except KeyboardInterrupt:
        typer.echo("rating-tui: interrupted", err=True)
        sys.exit(130)
