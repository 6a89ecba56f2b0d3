"""Running a command as a user would, in-process: its exit code, stdout and stderr. Shared by
the command tests, which each used to define it again."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from rating_tui.cli import app as main_app


def run_app(app: typer.Typer, *args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """`app` with `args`: a clear message on bad input, never an exception or a traceback."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), f"raised {result.exception!r}"
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """`rating-tui ARGS`."""
    return run_app(main_app, *args, stdin=stdin)
