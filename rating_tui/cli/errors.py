"""How commands fail on expected problems (bad input, missing things): one message, exit 1;
and how a result that rests on part of the stored ratings says so (exit 3)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from rating_tui.instruments.problems import Problem


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` to stderr as rating-tui's error and leave with exit status `code`."""
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {message}", err=True)
    raise typer.Exit(code)


INCOMPLETE = 3
"""Exit status of a command whose result was written or shown, but without ratings that the
data folder counts and that were not found in its month files (`rating-tui doctor` names
them)."""


def warn_incomplete(warnings: Iterable[str | None], then: int | None = INCOMPLETE) -> None:
    """Print each warning (`Tally.warning`: what a read lacked, with counts) to stderr; if
    there was one, leave with status `then` (None: go on, e.g. to fail with another message)."""
    said = [w for w in warnings if w is not None]
    for warning in said:
        typer.echo(f"{typer.style('warning:', fg='yellow', bold=True)} {warning}", err=True)
    if said and then is not None:
        raise typer.Exit(then)


def note_plain(folder: object, encrypted: bool) -> None:
    """Say on stderr that `$RATING_TUI_PASSPHRASE` is set for a folder that is not encrypted
    (`passphrase.unused`): its ratings are stored as plain text."""
    from rating_tui.passphrase import unused

    said = unused(folder, encrypted)
    if said is not None:
        typer.echo(f"note: {said}", err=True)


def note_unusable(problems: Iterable[Problem]) -> None:
    """Say on stderr that instrument files were found but could not be used (a broken file
    in an --instruments folder is otherwise passed over without a word)."""
    files = sorted({p.file for p in problems})
    if files:
        shown = ", ".join(files[:3]) + (", ..." if len(files) > 3 else "")
        typer.echo(
            f"note: {len(files)} instrument file(s) could not be used ({shown}); see why with "
            "rating-tui instruments validate",
            err=True,
        )


def code_option(value: str | None, option: str) -> str | None:
    """A dyad or rater code given on the command line, refused in words when it is empty or
    has a space at either end: no stored code is either (the instruments' patterns and the
    app refuse them), so such a filter matched nothing and said only "no ratings match"."""
    if value is None:
        return None
    if not value.strip():
        fail(f"{option} is empty: give a code, or leave {option} out for all of them")
    if value != value.strip():
        fail(
            f"{option} {value!r} has a space at its start or end, which no code has; "
            f"did you mean {option} {value.strip()}?"
        )
    return value


def codes_given(dyad: str | None, raters: Iterable[str] | None, gold: str | None = None) -> None:
    """`code_option` for --dyad, each --rater and --gold."""
    code_option(dyad, "--dyad")
    for rater in raters or ():
        code_option(rater, "--rater")
    code_option(gold, "--gold")


def day_range(first: str | None, last: str | None) -> tuple[date | None, date | None]:
    """The --from and --to dates; refused when --from is after --to (the range is empty:
    it said "no ratings match" as if the ratings were not there)."""
    start, end = day_option(first, "--from"), day_option(last, "--to")
    if start is not None and end is not None and start > end:
        fail(f"--from {start} is after --to {end}")
    return start, end


def distinct_folders(folders: list[Path], into: Path | None = None) -> list[Path]:
    """`folders`, refused in words when one is named twice (or is the --into folder): its
    ratings would be read twice and reported as duplicates of themselves."""
    seen: dict[Path, Path] = {}
    for folder in folders:
        key = folder.expanduser().resolve()
        if key in seen:
            same = (
                f"{folder} is given twice"
                if str(seen[key]) == str(folder)
                else (f"{seen[key]} and {folder} are the same folder")
            )
            fail(f"{same}: its ratings would be read twice; name each data folder once")
        seen[key] = folder
    if into is not None and into.expanduser().resolve() in seen:
        fail(f"{into} is both a folder to read and the one to merge into; nothing was changed")
    return folders


def output_file(option: str) -> Callable[[str], Path]:
    """The parser of an option naming a file to write: an empty name is refused in words
    (`Path("")` is ".", the current folder, and the write then failed naming ".")."""

    def parse(value: str) -> Path:
        if not value.strip():
            fail(f"{option} is empty: give the name of the file to write")
        return Path(value)

    return parse


def given_path(label: str, what: str) -> Callable[[str], Path]:
    """The parser of an argument or option naming a file or folder to read (or a folder to
    write into): an empty name, or one of spaces, is refused in words. `Path("")` is ".", the
    current folder: `ratings import ''` said ".: is a folder", `instruments validate ''`
    checked the current folder and `merge DATA --into ''` merged into it."""

    def parse(value: str | Path) -> Path:
        if not str(value).strip():
            fail(f"{label} is empty ({str(value)!r}): give {what}")
        return Path(value)

    return parse


def distinct_outputs(named: dict[str, Path | None]) -> None:
    """Refuse two options naming one file (`-o x.csv --moments x.csv`): the second written
    replaced the first, and both were said to be written."""
    seen: dict[Path | None, str] = {}
    for option, path in named.items():
        if path is None:
            continue
        if str(path) == "-":  # standard output: two tables there would be mixed line by line
            if None in seen:
                fail(
                    f"{seen[None]} and {option} - both write to standard output: their tables "
                    "would be mixed; give one of them a file. Nothing was written"
                )
            seen[None] = f"{option} -"
            continue
        key = path.expanduser().resolve()
        if key in seen:
            fail(
                f"{seen[key]} and {option} {path} are the same file: the second would replace "
                "the first; give each its own name. Nothing was written"
            )
        seen[key] = f"{option} {path}"


def day_option(value: str | None, option: str) -> date | None:
    """The date an option names (YYYY-MM-DD), None when it was not given; else `fail`."""
    from rating_tui.ratings.dates import parse_day

    if value is None:
        return None
    day = parse_day(value)  # 2026-02-30 named by its month's days; 20260131 refused
    if isinstance(day, str):
        fail(f"{option} {day}")
    return day
