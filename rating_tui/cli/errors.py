"""The one error type commands raise for expected failures (bad input, missing things)."""

from __future__ import annotations

import click


class CliError(click.ClickException):
    """A clear, one-message failure: Typer shows it without a traceback and exits with 1."""

    exit_code = 1
