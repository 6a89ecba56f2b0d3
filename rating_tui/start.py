"""The console script's first step: open the app without building the command line.

`rating-tui` with no command (at most `--data` and `--instruments`) is what a clinician runs
after every session, so it goes straight to the app. Building the Typer command line first
would import Typer's parameter machinery and pydantic before the first frame (about 130
modules). Anything else — a command, `--help`, `--version`, an option without its value — is
handed to `rating_tui.cli.main`, which parses it and reports errors as before.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

_APP_OPTIONS = ("--data", "--instruments")
_ROOT_VALUED = ("--data", "--instruments", "--lock-after")
_PAUSED = ("export",)
"""Commands run with the cyclic garbage collector paused from the start (see `main`)."""


def app_options(argv: list[str]) -> tuple[Path | None, list[Path]] | None:
    """`(data, instruments)` when `argv` only opens the app with these options; None for
    anything the full command line must parse."""
    data: Path | None = None
    instruments: list[Path] = []
    rest = iter(argv)
    for arg in rest:
        name, has_value, value = arg.partition("=")
        if name not in _APP_OPTIONS:
            return None
        if not has_value:
            value = next(rest, "")
            if value.startswith("-"):
                return None
        if not value:
            return None
        if name == "--data":
            if data is not None:  # given twice: the command line refuses it in words
                return None
            data = Path(value)
        else:
            instruments.append(Path(value))
    return data, instruments


def command(argv: list[str]) -> str | None:
    """The command `argv` names (its first word that is not a root option or its value)."""
    words = iter(argv)
    for arg in words:
        if arg in _ROOT_VALUED:
            next(words, None)
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    """Console-script entry point.

    An export runs with the cyclic garbage collector paused from here: its start-up (the
    command line, pydantic and the models) makes tens of thousands of objects that stay, and
    the collector walked them again and again (about 15 ms of a whole `export`, whose floor
    is the read and the dump alone); the rows are written with it paused anyway
    (`export.job.cycle_collection_paused`), and the process ends with the command."""
    options = app_options(sys.argv[1:])
    if options is None:
        if command(sys.argv[1:]) in _PAUSED:
            gc.disable()
        from rating_tui.cli import main as cli_main

        cli_main()
        return
    from rating_tui.paths import data_env_problem
    from rating_tui.tui.idle import lock_after

    try:  # $RATING_TUI_LOCK_AFTER, as the command line reads it (it was passed over here)
        setting = lock_after(None)
        problem = data_env_problem() if options[0] is None else None
        if problem:
            raise ValueError(problem)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    from rating_tui.tui.launch import launch  # Textual, not Typer or pydantic

    try:
        launch(*options, lock_after=setting)
    except KeyboardInterrupt:
        print("rating-tui: interrupted", file=sys.stderr)
        sys.exit(130)
