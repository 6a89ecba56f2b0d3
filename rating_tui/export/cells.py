"""Turning one value into one CSV cell: numbers stay numbers, text is defused.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula, so a dyad code or
a note typed by a clinician (or an instrument label from a colleague) could execute on a
researcher's machine. OWASP's advice is to prefix such text with a single quote, and to look
past what a spreadsheet skips: a cell is guarded when tab, carriage return or line feed
starts it, or when its first visible character - after leading spaces, quotes and invisible
characters (NBSP, zero-width space, byte order mark, VT, NUL, bidi controls...) - is one of
those signs or its full-width or small form. `neutralise` is the one guard for the CSV
tables, the moments file, the codebook and (when asked) REDCap records.

What stays as it is: numbers. Numbers are written from Python ints and floats by
`number_cell`, so a missing-data code of -9 or a scale point of -2 stays a negative number for
R, SPSS and pandas; text that is exactly a number (`-9`, `-2.5`) is no formula either and is
left alone.
"""

from __future__ import annotations

import math
import re
import unicodedata

FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212")
"""OWASP's four signs, their full-width and small forms, and the minus sign U+2212."""

FORMULA_STARTS = ("\t", "\r", "\n")
"""Characters that start a formula-bearing cell whatever follows them."""

QUOTES = frozenset("\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033")
"""Quotes a spreadsheet or a careless reader may look past at the start of a cell."""

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
CODE_SEPARATOR = ";"
"""Joins the codes of a multiple-choice answer in one CSV cell: `mother;infant`."""

LABEL_SEPARATOR = "; "
"""Joins the labels of a multiple-choice answer in one CSV cell (`--values labels`)."""


def _skipped(char: str) -> bool:
    """Whitespace, quotes and invisible characters (controls, format characters)."""
    return (
        char.isspace() or char in QUOTES or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl")
    )


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (see the module docstring)."""
    if not text:
        return False
    first = text[0]
    if first.isalnum():  # a letter or digit is visible and no sign: the common case, fast
        return False
    if first in FORMULA_STARTS:
        return True
    if first in FORMULA_SIGNS:
        return _NUMBER.fullmatch(text) is None
    for char in text:
        if not _skipped(char):
            return char in FORMULA_SIGNS
    return False


def neutralise(text: str) -> str:
    """`text`, with a leading single quote when a spreadsheet could read it as a formula."""
    return "'" + text if is_formula(text) else text


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
