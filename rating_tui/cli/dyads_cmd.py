"""`rating-tui dyads ...`: the study roster (`dyads.txt` in the data folder).

With a roster, the app and `ratings import` ask about a dyad code that is neither in it nor
already rated ("new dyad?"), naming the nearest codes, so a typo does not start a new dyad.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from rating_tui.cli.data_cmd import DataOption, clear_errors, data_folder, holds_data, open_store
from rating_tui.cli.errors import fail, given_path

MAX_LIST_BYTES = 16_000_000
"""A list of dyad codes to import is at most this big (about 500,000 codes of 32 characters)."""

dyads_app = typer.Typer(help="The study's dyad codes (optional roster).", no_args_is_help=True)


@dyads_app.command("add")
def add(
    ctx: typer.Context,
    codes: Annotated[list[str], typer.Argument(metavar="CODE...", help="Dyad codes to add.")],
    data: DataOption = None,
) -> None:
    """Add dyad codes to the roster (created with the first code)."""
    from rating_tui.services.roster import add_codes, code_problem

    # every code refused is named (the first alone was, the others refused without a word)
    refused = {n: p for n, c in enumerate(codes, start=1) if (p := code_problem(c))}
    rest = [(n, c) for n, c in enumerate(codes, start=1) if n not in refused]
    refused.update(_unfit(ctx, rest))
    said = [refused[n] for n in sorted(refused)]
    if len(said) == 1:
        fail(f"{said[0]}; nothing was added")
    if said:
        for problem in said:
            typer.echo(problem, err=True)
        fail(f"{len(said)} of the {len(codes)} codes are refused; nothing was added")
    _report(data_folder(ctx, data), codes, add_codes)


@dyads_app.command("import")
def import_codes(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="One dyad code per line.",
            parser=given_path("FILE", "the file of dyad codes to read"),
        ),
    ],
    data: DataOption = None,
) -> None:
    """Add the codes of a file, all or nothing: one per line, # starts a comment."""
    from rating_tui.inputs import InputRefused, decode_text, read_bounded
    from rating_tui.services.roster import add_codes, parse_codes

    try:  # a link to /dev/zero or a FIFO was read without end; bad bytes said in Python's words
        expected = "a text file of dyad codes, one per line"
        raw = read_bounded(file, MAX_LIST_BYTES, what="a list of dyad codes", expected=expected)
        text = decode_text(raw, str(file), "a text file of dyad codes")
    except InputRefused as exc:
        fail(f"cannot read {file}: {exc.reason}; nothing was added")
    codes, problems = parse_codes(text)
    for problem in problems:
        typer.echo(f"{file}:{problem}", err=True)
    if not problems:
        unfit = _unfit(ctx, _numbered(text))
        for number, problem in unfit:
            typer.echo(f"{file}:{number}: {problem}", err=True)
        problems = [p for _, p in unfit]
    if problems:
        fail(f"{len(problems)} bad line(s) in {file}; nothing was added")
    if not codes:
        fail(f"{file} holds no dyad codes; nothing was added")
    _report(data_folder(ctx, data), codes, add_codes)


@dyads_app.command("list")
def list_codes(ctx: typer.Context, data: DataOption = None) -> None:
    """The roster's codes, one per line."""
    from rating_tui.services.roster import load_roster, roster_path

    folder = data_folder(ctx, data)
    with clear_errors():
        codes = load_roster(folder)
    if codes is None:
        typer.echo(
            f"No roster: {roster_path(folder)} does not exist (add codes with "
            "`rating-tui dyads add CODE...`); any valid code is taken as it is.",
            err=True,
        )
        return
    for code in codes:
        typer.echo(code)
    typer.echo(f"{len(codes)} dyad code(s) in {roster_path(folder)}", err=True)


def _numbered(text: str) -> list[tuple[int, str]]:
    """(line number, code) of a roster file, as `parse_codes` reads it."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().removeprefix("\ufeff")
        if line:
            out.append((number, line))
    return out


def _unfit(ctx: typer.Context, codes: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(number, problem) of codes that no instrument at hand takes as a dyad code: the app
    would never match them (`ec0417` is rated as EC0417; `EC0417;EC0418` is two codes), and
    each would only surface later as a "new dyad?" warning. Any code is taken when an
    instrument gives its dyad code no pattern."""
    from rating_tui.instruments.catalogue import default_sources, discover
    from rating_tui.ratings.value_checks import field_value_problem

    extra = ctx.obj.instruments if ctx.obj is not None else []
    fields = [
        f
        for li in discover(default_sources(extra)).instruments
        if (f := li.instrument.field_with_role("dyad")) is not None
    ]
    if not fields or any(f.pattern is None for f in fields):
        return []
    out = []
    for number, code in codes:
        if all(field_value_problem(f, code) is not None for f in fields):
            rule = str(fields[-1].pattern_hint or fields[-1].pattern).rstrip(".")
            fix = _hint(code)
            out.append((number, f"{code!r} is not a dyad code of your instruments{fix}: {rule}"))
    return out


def _hint(code: str) -> str:
    """What a refused code may have meant: several codes (`EC0502,EC0503`), another case or
    full-width characters (`ＥＣ０５０５`: did you mean EC0505?)."""
    import unicodedata

    if any(mark in code for mark in ",;"):
        return " (several codes? give one a line, or each as an argument)"
    plain = unicodedata.normalize("NFKC", code).upper()
    return f" (did you mean {plain}?)" if plain != code else ""


def _report(folder: Path, codes: list[str], add_codes) -> None:  # type: ignore[no-untyped-def]
    holds_data(folder)  # refuses a folder that holds something else
    open_store(folder)  # the roster lives in a data folder: make it one
    with clear_errors():
        added, present = add_codes(folder, codes)
    repeated = [c for c, n in Counter(codes).items() if n > 1]
    again = ""
    if repeated:  # 3 codes given, "2 added, 0 already in the roster" did not add up
        shown = ", ".join(repeated[:5]) + (", ..." if len(repeated) > 5 else "")
        again = f" {len(codes) - len(set(codes))} repeated code(s) counted once: {shown}."
    typer.echo(f"{len(added)} added, {len(present)} already in the roster.{again}")
