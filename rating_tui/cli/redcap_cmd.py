"""`rating-tui instruments import-redcap / export-redcap`: REDCap data dictionaries to and from
instrument files. Thin wrappers over `rating_tui.redcap`; everything heavy is imported inside
the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rating_tui.cli.errors import fail, given_path, output_file
from rating_tui.cli.export_cmd import _settings


def import_redcap(
    dictionary: Annotated[
        Path,
        typer.Argument(
            help="REDCap data dictionary (CSV).",
            metavar="DICTIONARY",
            parser=given_path("DICTIONARY", "the REDCap data dictionary (CSV) to read"),
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Instrument file (default: ID.toml; - for stdout).",
            metavar="FILE",
            parser=output_file("-o"),
        ),
    ] = None,
    instrument_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="The instrument id (default: the one a dictionary written by rating-tui "
            "carries, else the form name).",
            metavar="ID",
        ),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(
            help="The instrument version (default: the one a dictionary written by rating-tui "
            "carries, else 1.0.0).",
            metavar="VERSION",
        ),
    ] = None,
    form: Annotated[
        str | None, typer.Option(help="The form to import, when there are several.", metavar="FORM")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.", metavar="")] = False,
) -> None:
    """Turn a REDCap data dictionary into an instrument file; lists what cannot be carried."""
    import tomllib

    from rating_tui.inputs import InputRefused
    from rating_tui.instruments.problems import InstrumentError
    from rating_tui.outputs import atomic_write_text
    from rating_tui.redcap.import_dictionary import import_dictionary, read_dictionary

    for option, value in (("--id", instrument_id), ("--version", version)):
        if value is not None and not value.strip():  # it was passed over without a word
            fail(f"{option} is empty: give one, or leave {option} out for the dictionary's own")
    try:
        text = read_dictionary(dictionary)
    except InputRefused as exc:
        fail(f"cannot import {dictionary}: {exc.reason}")
    try:
        imported = import_dictionary(
            text, str(dictionary), instrument_id=instrument_id, version=version, form=form
        )
    except InstrumentError as exc:
        fail(f"cannot import {dictionary}:\n{exc}")
    for warning in imported.warnings:
        typer.echo(f"{typer.style('warning', fg='yellow')} {warning}", err=True)
    if output is not None and str(output) == "-":
        typer.echo(imported.toml, nl=False)
        return
    target = output or Path(f"{tomllib.loads(imported.toml)['id']}.toml")
    if target.exists() and not force:
        fail(f"{target} already exists; choose another name with -o or add --force")
    try:
        atomic_write_text(target, imported.toml)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    typer.echo(f"Wrote {target}; check it with: rating-tui instruments validate {target}", err=True)


def export_redcap(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="ID or ID@VERSION (newest version when omitted).")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write, or - for stdout.", metavar="FILE")
    ] = "-",
) -> None:
    """Write the REDCap data dictionary of one of our instruments."""
    from rating_tui.instruments.catalogue import default_sources, discover
    from rating_tui.outputs import atomic_write_text
    from rating_tui.redcap.dictionary import UnwritableLabel
    from rating_tui.redcap.export_dictionary import dictionary_csv, missing_codes_setting

    try:
        instrument = discover(default_sources(_settings(ctx)[1])).get(ref).instrument
    except LookupError as exc:
        fail(str(exc))
    try:
        text = dictionary_csv(instrument)
        codes = missing_codes_setting(instrument)
    except UnwritableLabel as exc:
        fail(f"{exc}; nothing was written")
    if output == "-":
        typer.echo(text, nl=False)
    else:
        replaced = Path(output).is_file()  # said, as export says it
        try:
            atomic_write_text(Path(output), text)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
        again = " (it replaced the file that was there)" if replaced else ""
        typer.echo(f"Wrote {output}{again}", err=True)
    if codes:
        typer.echo(f"In REDCap, set Project Setup > Missing Data Codes to: {codes}", err=True)
