"""The wide row as its CSV line (`RecordTables.wide_line`, `rowcode.compile_wide_line`): the
very line `csv.writer` writes for the row, for every kind of value and hostile text; what the
row refuses, the line refuses; and `csvout.csv_field` writes one cell as the writer does."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rating_tui.export.csvout import csv_field
from rating_tui.export.plan import Plan
from rating_tui.export.records import RecordTables
from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.ratings.model import STATUSES
from tests.unit.export.test_records import DAMAGE
from tests.unit.export.test_rowcode import MORE_DAMAGE, records

Make = Callable[..., Rating]
Record = dict[str, Any]
STUDY = Path(__file__).resolve().parents[2] / "data" / "branching_study.toml"
SPECIAL = ",\"\r\n;' =+-@\t\u00a0\u2028é"
"""Characters a CSV writer or a spreadsheet treats apart, and a few others."""


def written(row: Sequence[str]) -> str:
    """The line `csv.writer` writes for `row`, as the export's writers are made."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row)
    return out.getvalue()


@given(st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=12))
def test_a_field_is_written_as_the_writer_writes_it(text: str) -> None:
    assert ",".join(["a", csv_field(text), "b"]) + "\r\n" == written(["a", text, "b"])


def test_what_a_line_takes_as_it_is_needs_no_quotes() -> None:
    for status in STATUSES:  # the generated line writes a status as it is
        assert csv_field(status) == status


@pytest.mark.parametrize("values", ["codes", "labels"])
def test_the_line_is_the_writers_line_of_the_row(
    instrument: Instrument, make_rating: Make, values: str
) -> None:
    tables = RecordTables(Plan([instrument], values))  # type: ignore[arg-type]
    given_records = records(make_rating)
    # a comma, a quote and a line break in every free-text place
    for record in given_records[:3]:
        record["notes"] = 'said "no", then\nleft'
        record["session"]["dyad"] = "D,1"
        record["rater"] = 'A"B'
    lines = [tables.wide_line(r) for r in given_records]
    rows = [tables.wide_row(r) for r in given_records]
    assert None not in rows
    assert lines == [written(row) for row in rows]  # type: ignore[arg-type]
    assert any('"' in line.rstrip("\r\n") for line in lines)  # type: ignore[union-attr]
    # the memos remember the cells: the same records again give the same lines
    assert [tables.wide_line(r) for r in given_records] == lines


@pytest.mark.parametrize(
    ("what", "damage"), DAMAGE + MORE_DAMAGE, ids=[d[0] for d in DAMAGE + MORE_DAMAGE]
)
def test_the_line_refuses_what_the_row_refuses(
    instrument: Instrument, make_rating: Make, what: str, damage: Callable[[Record], Any]
) -> None:
    tables = RecordTables(Plan([instrument], "codes"))
    record = records(make_rating)[1]
    assert tables.wide_line(record) is not None  # the version's line is written out first
    damaged = copy.deepcopy(record)
    damage(damaged)
    row = tables.loop_row(damaged)
    line = tables.wide_line(damaged)
    assert line == (None if row is None else written(row))


def test_a_version_with_scores_writes_its_rows_cells_one_by_one() -> None:
    study = load_instrument(STUDY).instrument
    rating = Rating.new(study, "AB")
    rating = rating.replace(
        status="final",
        session=rating.session | {"dyad": "D,1", "session_date": "2026-01-02"},
        answers={
            "narration": Answered(value=2),
            "affective": Answered(value=1),
            "modeling": Missing(missing="not_observed"),
        },
        notes='a "quoted" note',
    )
    tables = RecordTables(Plan([study]))
    record = rating.model_dump(mode="json")
    row = tables.wide_row(record)
    assert row is not None
    assert tables.wide_line(record) == written(row)
    assert '"D,1"' in written(row)
