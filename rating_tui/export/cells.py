"""Turning one value into one CSV cell: numbers stay numbers, text is defused.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (and tab or carriage
return can smuggle one in), so a dyad code or a note typed by a clinician could execute on a
researcher's machine. OWASP's advice is to prefix such text with a single quote. Only text goes
through `text_cell`: numbers are written from Python ints and floats by `number_cell`, so a
missing-data code of -9 or a scale point of -2 stays a negative number for R, SPSS and pandas.
"""

from __future__ import annotations

import math

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""OWASP's list, plus the full-width forms that some spreadsheets also read as formula signs."""

CODE_SEPARATOR = ";"
"""Joins the codes of a multiple-choice answer in one CSV cell: `mother;infant`."""

LABEL_SEPARATOR = "; "
"""Joins the labels of a multiple-choice answer in one CSV cell (`--values labels`)."""


def neutralise(text: str) -> str:
    """`text`, with a leading single quote when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number_cell(value: int | float) -> str:
    """A number as R, SPSS, Stata and pandas read it back: 3, -9, 7.5 (never 7.50 or 1,5)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return repr(value)
    return str(value)


def scalar_cell(value: object, guard: bool = True) -> str:
    """Any stored scalar: numbers via `number_cell`, everything else as (defused) text."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return number_cell(value)
    if value is None:
        return ""
    text = str(value)
    return neutralise(text) if guard else text
