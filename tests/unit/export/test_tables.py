"""Wide, long and now-moments tables: values, missing vs not answered, labels, defused text."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable

import pytest

from rating_tui.export.cells import neutralise, number_cell
from rating_tui.export.csvout import csv_chunks
from rating_tui.export.errors import ExportError
from rating_tui.export.plan import Plan
from rating_tui.export.tables import (
    long_header,
    long_rows,
    moment_rows,
    wide_header,
    wide_row,
    wide_rows,
)
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, InstrumentRef, Missing, NowMoment, Rating
from tests.unit.export.conftest import HOSTILE, INSTRUMENT_FILE

Make = Callable[..., Rating]


def as_dict(plan: Plan, rating: Rating) -> dict[str, str]:
    return dict(zip(wide_header(plan), wide_row(plan, rating), strict=True))


def test_wide_header_has_identity_session_status_items_then_times(instrument: Instrument) -> None:
    assert wide_header(Plan([instrument])) == [
        "rating_id", "instrument_id", "instrument_version", "instrument_hash",
        "dyad", "session_date", "session_number", "rater", "setting", "present", "infant_age",
        "status",
        "narration", "processing", "mood_shift", "alliance", "baby_present", "focus",
        "techniques", "summary",
        "created", "updated", "n_now_moments", "notes",
    ]  # fmt: skip


def test_value_code_and_no_answer_stay_distinct_in_wide(make_rating: Make) -> None:
    rating = make_rating(
        answers={
            "narration": Answered(value=0),
            "processing": Missing(missing="not_applicable"),
            "alliance": Missing(missing="refused"),
            "techniques": Answered(value=["b", "a"]),
            "baby_present": Answered(value=0),
            "summary": Answered(value=""),
        }
    )
    row = as_dict(Plan([rating_instrument(rating)]), rating)
    assert row["narration"] == "0"  # a real zero
    assert row["processing"] == "-8"  # the instrument's export value, a plain number
    assert row["alliance"] == "RF"  # a text export value is written as it is
    assert row["mood_shift"] == ""  # not answered: empty
    assert row["summary"] == ""  # an empty text answer is no answer
    assert row["techniques"] == "a;b"  # the instrument's order, whatever the order given
    assert row["baby_present"] == "0"
    assert row["status"] == "final"
    assert row["n_now_moments"] == "1"
    assert row["created"] == "2025-03-04T18:00:00.000000+00:00"


def rating_instrument(rating: Rating) -> Instrument:
    from rating_tui.instruments.loader import load_instrument

    instrument = load_instrument(INSTRUMENT_FILE).instrument
    assert instrument.version == rating.instrument.version
    return instrument


def test_labels_mode_writes_labels_for_points_choices_and_codes(
    instrument: Instrument, make_rating: Make
) -> None:
    rating = make_rating(
        session={
            "dyad": "D001", "session_date": "2025-03-04", "rater": "AB",
            "setting": 2, "present": ["infant", "mother"],
        },
        answers={
            "narration": Answered(value=4),
            "processing": Missing(missing="not_observed"),
            "mood_shift": Answered(value=-3),
            "baby_present": Answered(value=1),
            "focus": Answered(value=2),
        },
    )  # fmt: skip
    row = as_dict(Plan([instrument], "labels"), rating)
    assert row["narration"] == "central"
    assert row["processing"] == "Not observed"
    assert row["mood_shift"] == "-3"  # numbers have no labels
    assert row["baby_present"] == "Yes"
    assert row["focus"] == "baby"
    assert row["setting"] == "clinic"
    assert row["present"] == "Mother; Infant"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_text_that_a_spreadsheet_would_run_is_defused(
    instrument: Instrument, make_rating: Make, hostile: str
) -> None:
    rating = make_rating(
        dyad=hostile,
        notes=hostile,
        answers={"summary": Answered(value=hostile), "mood_shift": Answered(value=-1)},
        now_moments=[NowMoment(text=hostile, tags=["narration"])],
    )
    plan = Plan([instrument])
    row = as_dict(plan, rating)
    for column in ("dyad", "notes", "summary"):
        assert row[column] == "'" + hostile
    assert row["mood_shift"] == "-1"  # a negative number stays a number
    [moment] = list(moment_rows(plan, [rating]))
    assert moment[2] == "'" + hostile
    long = {r[-3]: r for r in long_rows(plan, [rating])}
    assert long["summary"][-2] == "'" + hostile
    assert long["mood_shift"][-2] == "-1"


def test_neutralise_and_numbers() -> None:
    assert neutralise("plain") == "plain"
    assert neutralise("a=b") == "a=b"
    assert neutralise("\uff1dcmd") == "'\uff1dcmd"  # full-width equals sign
    assert number_cell(-9) == "-9"
    assert number_cell(7.5) == "7.5"
    assert number_cell(float("nan")) == ""


def test_long_layout_has_one_row_per_item_with_value_and_code_apart(
    instrument: Instrument, make_rating: Make
) -> None:
    plan = Plan([instrument])
    header = long_header(plan)
    assert header[-3:] == ["item", "value", "missing"]
    rows = [dict(zip(header, r, strict=True)) for r in long_rows(plan, [make_rating()])]
    assert [r["item"] for r in rows] == [i.key for i in instrument.items]
    by_item = {r["item"]: r for r in rows}
    assert (by_item["narration"]["value"], by_item["narration"]["missing"]) == ("3", "")
    assert (by_item["processing"]["value"], by_item["processing"]["missing"]) == (
        "",
        "not_observed",
    )
    assert (by_item["focus"]["value"], by_item["focus"]["missing"]) == ("", "")
    assert {r["dyad"] for r in rows} == {"D001"}
    labels = {r[-3]: r for r in long_rows(Plan([instrument], "labels"), [make_rating()])}
    assert labels["processing"][-1] == "Not observed"


def test_moments_table_has_one_row_per_moment(instrument: Instrument, make_rating: Make) -> None:
    rating = make_rating(
        now_moments=[
            NowMoment(text="first", tags=["narration", "processing"]),
            NowMoment(text='second, with "quotes"\nand a new line', tags=[]),
        ]
    )
    rows = list(moment_rows(None, [rating]))
    assert rows == [
        [rating.id, "1", "first", "narration;processing"],
        [rating.id, "2", 'second, with "quotes"\nand a new line', ""],
    ]
    labelled = list(moment_rows(Plan([instrument], "labels"), [rating]))
    assert labelled[0][3] == "Narration of the experience; Processing the experience"
    text = "".join(csv_chunks(["rating_id", "moment", "text", "tags"], rows))
    assert list(csv.reader(io.StringIO(text, newline="")))[1:] == rows


def test_several_versions_get_the_union_of_columns(
    instrument: Instrument, instrument_v3: Instrument, make_rating: Make
) -> None:
    plan = Plan([instrument, instrument_v3])
    header = wide_header(plan)
    assert "focus" in header and "warmth" in header
    assert header.index("warmth") < header.index("focus")  # newest version's order first
    old = make_rating(answers={"focus": Answered(value=1), "alliance": Answered(value=2.5)})
    new = make_rating(of=instrument_v3, answers={"warmth": Answered(value=2)})
    rows = [dict(zip(header, r, strict=True)) for r in wide_rows(plan, [old, new])]
    assert (rows[0]["instrument_version"], rows[0]["focus"], rows[0]["warmth"]) == (
        "2.0.0",
        "1",
        "",
    )
    assert (rows[1]["instrument_version"], rows[1]["focus"], rows[1]["warmth"]) == (
        "3.0.0",
        "",
        "2",
    )
    assert rows[0]["alliance"] == "2.5"
    alliance = [c for c in plan.definitions if c.name == "alliance"]
    assert [c.versions for c in alliance] == [("3.0.0",), ("2.0.0",)]  # they differ
    narration = [c for c in plan.definitions if c.name == "narration"]
    assert [c.versions for c in narration] == [("3.0.0", "2.0.0")]  # identical: one entry


def test_a_rating_of_another_version_or_content_is_refused(
    instrument: Instrument, instrument_v3: Instrument, make_rating: Make
) -> None:
    plan = Plan([instrument])
    with pytest.raises(ExportError, match=r"export-sample@3\.0\.0.*--all-versions"):
        wide_row(plan, make_rating(of=instrument_v3))
    forged = make_rating().replace(
        instrument=InstrumentRef(id=instrument.id, version=instrument.version, hash="0" * 64)
    )
    with pytest.raises(ExportError, match="other content"):
        wide_row(plan, forged)
    with pytest.raises(ExportError, match="one instrument"):
        Plan([instrument, parse_instrument(INSTRUMENT_FILE.read_text().replace(
            'id = "export-sample"', 'id = "other"'), "other")])  # fmt: skip


def test_an_item_named_like_a_rating_column_keeps_its_name(make_rating: Make) -> None:
    text = INSTRUMENT_FILE.read_text().replace('key = "summary"', 'key = "notes"')
    text = text.replace('key = "rater"\nlabel = "Rater"', 'key = "clinician"\nlabel = "Rater"')
    instrument = parse_instrument(text, "clash")
    header = wide_header(Plan([instrument]))
    assert "notes" in header and "rating_notes" in header
    assert "clinician" in header and "rater" in header  # the rater field has another key


def test_rows_are_produced_one_rating_at_a_time(instrument: Instrument, make_rating: Make) -> None:
    template = make_rating()
    endless = (
        template.replace(id=f"{n:08d}-0000-4000-8000-000000000000") for n in itertools.count()
    )
    first = list(itertools.islice(wide_rows(Plan([instrument]), endless), 3))
    assert [r[0][:8] for r in first] == ["00000000", "00000001", "00000002"]
