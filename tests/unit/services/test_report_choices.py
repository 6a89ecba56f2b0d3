"""The dyad report's table of values shows the answers of choice items in words: a choice has
no scale of numbers, so no chart, and its answers were left out of the table without a word
(the trajectory kept only numbers). Free-text items are named under the table as left out."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest

from rating_tui.instruments.loader import parse_instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.services.report import dyad_report
from rating_tui.services.trajectory import build, from_rating
from tests.unit.instruments.conftest import MINIMAL_TOML

pytest.importorskip("pygal")

CHOICES = (
    MINIMAL_TOML
    + """
[[items]]
key = "setting"
label = "Where"
missing_codes = ["not_observed"]

[items.scale]
type = "single_choice"
choices = [
  { code = 1, label = "home" },
  { code = 2, label = "clinic" },
]

[[items]]
key = "present"
label = "Who was there"

[items.scale]
type = "multiple_choice"
choices = [
  { code = "m", label = "mother" },
  { code = "f", label = "father" },
]

[[items]]
key = "remark"
label = "Remark"
scale = { type = "text" }
"""
)


def _rating(ins: object, day: str, rater: str, **answers: object) -> Rating:
    r = Rating.new(ins, rater)  # type: ignore[arg-type]
    return r.replace(
        session=r.session | {"dyad": "D1", "session_date": day},
        answers={"holding": Answered(value=1), **answers},  # type: ignore[dict-item]
    )


def test_choice_answers_are_in_the_table_of_values_in_words() -> None:
    ins = parse_instrument(CHOICES, "mini.toml")
    ratings = [
        _rating(ins, "2026-01-05", "AB", setting=Answered(value=2),
                present=Answered(value=["m", "f"]), remark=Answered(value="calm")),
        _rating(ins, "2026-01-12", "AB", setting=Missing(missing="not_observed")),
        _rating(ins, "2026-01-19", "AB", setting=Answered(value=1)),
        _rating(ins, "2026-01-19", "CD", setting=Answered(value=2)),
    ]  # fmt: skip
    t = build("D1", ins, [from_rating(r, ins) for r in ratings])
    page = unescape(dyad_report(t, [], today=date(2026, 8, 1), notes=False))
    table = page[page.index("<h2>Values by session</h2>") :]
    assert "<th>setting</th><th>present</th>" in table
    rows = table.split("<tr>")[2:]
    assert "<td>clinic</td><td>mother, father</td>" in rows[0]
    assert "<td>n/o</td><td>·</td>" in rows[1]
    assert "<td>home / clinic</td>" in rows[2]  # two raters, two answers: both shown
    assert "Not in this table: 1 free-text item(s), Remark" in table
    assert "the answers of choices are in the table of values" in page
