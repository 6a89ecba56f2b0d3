"""The CSV formula guard per OWASP, in depth: a cell is guarded when its first visible
character, after leading spaces, quotes and invisible characters, is a formula sign, or when
tab, CR or LF starts it. Negative numbers and text that is exactly a number stay as they are.
One function for the tables, the moments file, the codebook and REDCap records (with
--excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from rating_tui.export.cells import is_formula, neutralise
from rating_tui.export.codebook import codebook_csv, codebook_markdown
from rating_tui.export.plan import Plan
from rating_tui.export.tables import long_rows, moment_rows, wide_header, wide_row
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, NowMoment, Rating
from rating_tui.redcap.records import records_rows
from tests.unit.export.conftest import INSTRUMENT_FILE

Make = Callable[..., Rating]

BEFORE = {
    "space": " ",
    "three spaces": "   ",
    "a double quote": '"',
    "a single quote": "'",
    "NBSP": "\u00a0",
    "ZWSP": "\u200b",
    "BOM": "\ufeff",
    "VT": "\x0b",
    "NUL": "\x00",
    "LF": "\n",
    "quote and spaces": ' " ',
    "a bidi override": "\u202e",
}
FORMULAS = ["=1+1", '=HYPERLINK("http://x","y")', "+SUM(A1)", "-2+3", "@cmd", "\uff1d1"]


@pytest.mark.parametrize("before", list(BEFORE))
@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_behind_spaces_quotes_or_invisible_characters_is_guarded(
    before: str, formula: str
) -> None:
    cell = BEFORE[before] + formula
    assert is_formula(cell)
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["\tx", "\rx", "\nx", "=", "-", "\u2212 1", "\ufe66x"])
def test_tab_cr_lf_and_lone_signs_start_a_guarded_cell(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["-9", "-2.5", "+", "3", "1e5", "plain", "a=b", "Dyad -1", "", " ", '"quoted"', "ü=1"]
)
def test_numbers_and_plain_text_stay_as_they_are(cell: str) -> None:
    expected = "'+" if cell == "+" else cell
    assert neutralise(cell) == expected


def test_every_text_cell_of_the_tables_and_moments_file_is_guarded(
    instrument: Instrument, make_rating: Make
) -> None:
    hostile = [BEFORE[b] + "=1+1" for b in BEFORE]
    plan = Plan([instrument])
    for text in hostile:
        rating = make_rating(
            dyad=text,
            notes=text,
            answers={"summary": Answered(value=text), "mood_shift": Answered(value=-2)},
            now_moments=[NowMoment(text=text, tags=["narration"])],
        )
        row = dict(zip(wide_header(plan), wide_row(plan, rating), strict=True))
        assert row["dyad"] == row["notes"] == row["summary"] == "'" + text
        assert row["mood_shift"] == "-2"
        [moment] = list(moment_rows(plan, [rating]))
        assert moment[2] == "'" + text
        long = {r[-3]: r for r in long_rows(plan, [rating])}
        assert long["summary"][-2] == "'" + text and long["mood_shift"][-2] == "-2"


def test_redcap_records_are_guarded_only_when_meant_for_a_spreadsheet(
    instrument: Instrument, make_rating: Make
) -> None:
    rating = make_rating(answers={"summary": Answered(value=" =1+1")})
    for guard, expected in ((True, "' =1+1"), (False, " =1+1")):
        [row] = list(records_rows(Plan([instrument], guard=guard), [rating]))
        assert expected in row


def test_codebook_missing_codes_lead_with_their_key_and_hostile_labels_are_guarded() -> None:
    text = (
        INSTRUMENT_FILE.read_text()
        .replace('label = "Not observed"', 'label = "=HYPERLINK(1)"')
        .replace('title = "', 'title = " @cmd ', 1)
    )
    instrument = parse_instrument(text, "hostile.toml")
    rows = list(csv.reader(io.StringIO("".join(codebook_csv(Plan([instrument]))), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if is_formula(c)]
    header = rows[0]
    processing = dict(zip(header, next(r for r in rows if r[1] == "processing"), strict=True))
    assert processing["missing_codes"] == (
        "not_observed: -9 = =HYPERLINK(1) | not_applicable: -8 = Not applicable"
    )
    assert "not_observed: -9 = =HYPERLINK(1)" in codebook_markdown(Plan([instrument]))
