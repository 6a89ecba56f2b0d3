"""How commands fail on expected problems (bad input, missing things): one message, exit 1."""

from __future__ import annotations

from typing import NoReturn

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` to stderr as rating-tui's error and leave with exit status `code`."""
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {message}", err=True)
    raise typer.Exit(code)
