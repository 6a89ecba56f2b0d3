"""The codebook: every exported column with its label, type, coded values and missing codes.

Built from the same `Column`s the tables are written with, so it cannot disagree with the
data. A column whose definition changed between instrument versions gets one entry per
definition, each naming its versions. CSV for programs, Markdown for people.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from rating_tui.export.cells import CODE_SEPARATOR, neutralise
from rating_tui.export.columns import Column
from rating_tui.export.csvout import csv_chunks
from rating_tui.export.plan import Plan
from rating_tui.export.tables import LONG_COLUMNS, MOMENT_COLUMNS
from rating_tui.instruments.hashing import content_hash

Layout = Literal["wide", "long"]
CODEBOOK_HEADER = (
    "table",
    "column",
    "label",
    "source",
    "type",
    "values",
    "missing_codes",
    "required",
    "instrument_versions",
    "note",
)


def entries(plan: Plan, layout: Layout = "wide") -> list[tuple[str, Column]]:
    """(table, column definition) for every column of the main table and the moments table."""
    by_name: dict[str, list[Column]] = {}
    for definition in plan.definitions:
        by_name.setdefault(definition.name, []).append(definition)
    head = plan.field_columns + plan.status_columns
    if layout == "wide":
        main = head + plan.item_columns + plan.score_columns + plan.tail_columns
    else:
        main = head + list(LONG_COLUMNS) + plan.item_columns
    out: list[tuple[str, Column]] = []
    for column in main:
        for definition in by_name.get(column.name, [column]):
            out.append(("ratings", definition))
    out += [("now_moments", c) for c in MOMENT_COLUMNS]
    return out


def _pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    return " | ".join(f"{code} = {label}" for code, label in pairs)


def _missing(c: Column) -> str:
    """`not_observed: -9 = Not observed | ...`: led by the code's key, a lower-case letter, so
    the cell is never a formula and needs no guard quote (`-9 = x` would be one: a hostile
    label after it would run), and the key ties it to the long layout's `missing` column."""
    if len(c.missing_keys) != len(c.missing):
        return _pairs(c.missing)
    return " | ".join(
        f"{key}: {code} = {label}"
        for key, (code, label) in zip(c.missing_keys, c.missing, strict=True)
    )


def _fields(table: str, c: Column, plan: Plan) -> list[str]:
    versions = ", ".join(c.versions) if c.versions else ", ".join(plan.versions)
    note = c.note
    if c.source == "item":
        note = (note + "; " if note else "") + "empty = not answered"
    return [
        table,
        c.name,
        c.label,
        c.source,
        c.type,
        _pairs(c.values),
        _missing(c),
        "yes" if c.required else "no",
        versions,
        note,
    ]


def codebook_csv(plan: Plan, layout: Layout = "wide", *, bom: bool = False) -> Iterator[str]:
    """The codebook as CSV text (one row per column definition)."""
    rows = (
        [neutralise(cell) for cell in _fields(table, c, plan)] for table, c in entries(plan, layout)
    )
    return csv_chunks(CODEBOOK_HEADER, rows, bom=bom)


def _md(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def codebook_markdown(plan: Plan, layout: Layout = "wide") -> str:
    """The codebook as a Markdown document: conventions, then one table per exported file."""
    newest = plan.instruments[0]
    lines = [
        f"# Codebook: {_md(newest.title)}",
        "",
        f"Instrument `{newest.id}`, version(s) "
        + ", ".join(f"`{i.version}`" for i in plan.instruments)
        + f"; {layout} layout; values written as {plan.values}.",
        "",
        "| version | content hash (sha256) |",
        "| --- | --- |",
        *(f"| {i.version} | `{content_hash(i)}` |" for i in plan.instruments),
        "",
        "Conventions:",
        "",
        "- An empty cell means *not answered*. A missing-data code (e.g. not observed) is "
        "written as the instrument's own export value in the item's column (wide layout) or as "
        "its code in the `missing` column (long layout), so the two are never confused.",
        f"- A multiple-choice answer holds its codes joined with `{CODE_SEPARATOR}` "
        "(e.g. `mother;infant`), in the order the instrument lists them.",
        "- A text cell that a spreadsheet could read as a formula (its first visible character,"
        " after spaces, quotes and invisible characters, is `=`, `+`, `-` or `@`, or it starts"
        " with tab, carriage return or line feed) starts with a single quote `'`; numbers, and"
        " text that is exactly a number, are unchanged.",
        "- Times are UTC, ISO 8601 with offset; dates are `YYYY-MM-DD`.",
        "",
    ]
    header = "| column | label | type | values | missing codes | required | versions | note |"
    for table in ("ratings", "now_moments"):
        lines += [f"## Table `{table}`", "", header, "| --- " * 8 + "|"]
        for t, c in entries(plan, layout):
            if t == table:
                f = _fields(t, c, plan)
                cells = [f"`{f[1]}`", *f[2:3], *f[4:]]
                lines.append("| " + " | ".join(_md(x) for x in cells) + " |")
        lines.append("")
    return "\n".join(lines)
