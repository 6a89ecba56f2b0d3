"""How commands fail on expected problems (bad input, missing things): one message, exit 1."""

from __future__ import annotations

from datetime import date
from typing import NoReturn

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` to stderr as rating-tui's error and leave with exit status `code`."""
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {message}", err=True)
    raise typer.Exit(code)


def day_option(value: str | None, option: str) -> date | None:
    """The date an option names (YYYY-MM-DD), None when it was not given; else `fail`."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected a date like 2026-01-31")
