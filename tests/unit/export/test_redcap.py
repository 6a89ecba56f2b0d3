"""REDCap: dictionaries both ways (round trip, hand-written, malformed), records, TOML writer."""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rating_tui.export.errors import ExportError
from rating_tui.export.plan import Plan
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.loader import load_instrument, parse_instrument
from rating_tui.instruments.model import Condition, Instrument, LikertScale, SingleChoiceScale
from rating_tui.instruments.problems import InstrumentError
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.redcap.dictionary import COLUMNS, strip_html
from rating_tui.redcap.export_dictionary import dictionary_csv, missing_codes_setting
from rating_tui.redcap.import_dictionary import import_dictionary
from rating_tui.redcap.records import records_header, records_rows
from rating_tui.redcap.toml_writer import dumps
from tests.conftest import BUILTIN_ID, REPO

BUILTIN = REPO / "instruments" / f"{BUILTIN_ID}.toml"
HEADER = ",".join(f'"{c}"' for c in COLUMNS) + "\n"


@pytest.fixture(scope="module")
def builtin() -> Instrument:
    return load_instrument(BUILTIN).instrument


def without_annotations(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    csv.writer(out).writerows([*rows[:1], *([*r[:17], ""] for r in rows[1:])])
    return out.getvalue()


def test_builtin_instrument_round_trips_exactly_through_a_dictionary(builtin: Instrument) -> None:
    imported = import_dictionary(dictionary_csv(builtin), "paris.csv")
    back = parse_instrument(imported.toml)
    assert imported.warnings == []
    assert back == builtin
    assert content_hash(back) == content_hash(builtin)


def test_the_standard_columns_alone_keep_items_scales_and_codes(builtin: Instrument) -> None:
    """Without our annotations (a dictionary edited elsewhere) items, codes and labels stay;
    session fields other than the four roles come back as items, missing codes are lost."""
    back = parse_instrument(import_dictionary(without_annotations(dictionary_csv(builtin))).toml)
    ours = [i.key for i in builtin.items]
    items = [i for i in back.items if i.key in ours]
    assert [i.key for i in items] == ours
    assert [i.label for i in items] == [i.label for i in builtin.items]
    assert [i.help for i in items] == [i.help for i in builtin.items]
    assert [i.required for i in items] == [i.required for i in builtin.items]
    for item, again in zip(builtin.items, items, strict=True):
        scale, scale_again = builtin.scale_of(item), back.scale_of(again)
        assert isinstance(scale, LikertScale) and isinstance(scale_again, SingleChoiceScale)
        assert [(c.code, c.label) for c in scale_again.choices] == [
            (p.value, p.label) for p in scale.points
        ]
    assert [s.title for s in back.sections] == [s.title for s in builtin.sections]
    roles = {f.role: f for f in back.fields if f.role}
    assert set(roles) == {"dyad", "session_date", "session_number", "rater"}
    assert roles["dyad"].key == "dyad" and roles["dyad"].label == "Dyad code"
    assert {i.key for i in back.items} - set(ours) == {
        "setting", "duration_min", "infant_age_months", "present", "basis",
    }  # fmt: skip
    assert back.missing_codes == []
    assert missing_codes_setting(builtin) == (
        "-9, Not observed in this session | -8, Not applicable (infant absent or asleep throughout)"
    )


HAND_WRITTEN = HEADER + (
    "record_id,visit,,text,Record ID,,,,,,,,,,,,,\n"
    'mood,visit,"<h3>Mood &amp; <i>affect</i></h3>",radio,"<b>Mood</b> of the mother<br>today",'
    '"1, Low | 2, Middle, more or less | 3, High | 99, inadequate information",'
    '"Rate <u>after</u> the visit",,,,,,y,,,,,\n'
    'who,visit,,checkbox,Who was there,"1, Mother | 2, Infant | 3, Partner",,,,,,,,,,,,\n'
    'alliance,visit,,slider,Alliance,"Weak | Medium | Strong",,number,,,,,y,,,,,\n'
    "breastfed,visit,,yesno,Breastfed?,,,,,,,,,,,,,\n"
    "truthful,visit,,truefalse,Felt truthful,,,,,,,,,,,,,\n"
    "minutes,visit,,text,Minutes,,,integer,5,300,,,,,,,,\n"
    "visits,visit,,text,Visits so far,,,integer,,,,,,,,,,\n"
    "visit_date,visit,,text,Visit date,,,date_ymd,,,,,y,,,,,\n"
    "email,visit,,text,Email,,,email,,,y,,,,,,,\n"
    'comment,visit,,notes,"A comment\nover two lines",,,,,,,"[mood] = \'1\'",,,,,,\n'
    'total,visit,,calc,Total,"[mood] + 1",,,,,,,,,,,,\n'
    "upload,visit,,file,Video,,,,,,,,,,,,,\n"
)


def test_a_hand_written_dictionary_with_html_multiline_cells_and_odd_codes() -> None:
    imported = import_dictionary(HAND_WRITTEN, "visit.csv", instrument_id="visit-form")
    ins = parse_instrument(imported.toml)
    assert ins.id == "visit-form" and ins.version == "1.0.0"
    items = {i.key: i for i in ins.items}
    mood = items["mood"]
    assert mood.label == "Mood of the mother today"
    assert mood.help == "Rate after the visit"
    assert mood.required is True
    scale = ins.scale_of(mood)
    assert isinstance(scale, SingleChoiceScale)
    assert [(c.code, c.label) for c in scale.choices] == [
        (1, "Low"), (2, "Middle, more or less"), (3, "High"), (99, "inadequate information"),
    ]  # fmt: skip
    assert [s.title for s in ins.sections] == ["Mood & affect"] and mood.section == "mood_affect"
    assert ins.scale_of(items["who"]).type == "multiple_choice"
    slider = ins.scale_of(items["alliance"])
    assert slider.model_dump(exclude_defaults=True) == {
        "type": "numeric", "min": 0, "max": 100, "min_label": "Weak", "max_label": "Strong",
    }  # fmt: skip
    assert ins.scale_of(items["breastfed"]).type == "yes_no"
    assert ins.scale_of(items["truthful"]).model_dump()["yes_label"] == "True"
    minutes = ins.scale_of(items["minutes"]).model_dump()
    assert (minutes["type"], minutes["min"], minutes["max"], minutes["step"]) == (
        "numeric",
        5,
        300,
        1,
    )
    assert items["comment"].label == "A comment over two lines"
    assert items["comment"].show_if == Condition(item="mood", equals=1)  # branching carried
    assert ins.scale_of(items["comment"]).model_dump()["multiline"] is True
    fields = {f.key: f for f in ins.fields}
    assert fields["visit_date"].type == "date" and fields["visits"].type == "integer"
    assert {"dyad", "session_date", "rater"} <= set(fields)
    text = "\n".join(imported.warnings)
    for expected in ("line 14, total: calculated field not carried",  # line 12-13: one row
                     "line 15, upload: file upload not carried", "email", "identifier",
                     "middle label 'Medium'"):  # fmt: skip
        assert expected in text
    assert "# not carried: line 14, total" in imported.toml


def test_malformed_rows_are_all_reported_with_their_lines() -> None:
    text = HEADER + (
        "record_id,f,,text,ID,,,,,,,,,,,,,\n"
        'good,f,,radio,"Two\nlines","1, a | 2, b",,,,,,,,,,,,\n'
        "bad_type,f,,matrix,X,,,,,,,,,,,,,\n"
        'no_comma,f,,radio,X,"1 a | 2, b",,,,,,,,,,,,\n'
        "good,f,,yesno,Again,,,,,,,,,,,,,\n"
        "Bad-Name,f,,text,X,,,,,,,,,,,,,\n"
        "extra,f,,text,X,,,,,,,,,,,,,,,,,,,\n"
        "empty,f,,dropdown,X,,,,,,,,,,,,,\n"
    )
    with pytest.raises(InstrumentError) as caught:
        import_dictionary(text, "bad.csv")
    found = {(p.line, p.message.split(":")[0]) for p in caught.value.problems}
    assert found == {
        (5, "bad_type"), (6, "no_comma"), (7, "good"), (8, "Bad-Name"),
        (9, "has 24 cells, the header 18"), (10, "empty"),
    }  # fmt: skip
    assert "bad.csv:6: no_comma: choice '1 a' is not written 'code, label'" in str(caught.value)


def test_not_a_dictionary_and_several_forms() -> None:
    with pytest.raises(InstrumentError, match="not a REDCap data dictionary"):
        import_dictionary("name,age\nx,1\n")
    two = HEADER + "record_id,a,,text,ID,,,,,,,,,,,,,\nx,a,,yesno,X,,,,,,,,,,,,,\n"
    two += "y,b,,yesno,Y,,,,,,,,,,,,,\n"
    with pytest.raises(InstrumentError, match=r"2 forms \(a, b\): choose one with --form"):
        import_dictionary(two)
    assert 'key = "y"' in import_dictionary(two, form="b").toml


def test_strip_html() -> None:
    assert strip_html('<p style="x">A&nbsp;&lt;b&gt;</p><p>B</p>') == "A <b> B"


def test_records_have_checkbox_columns_and_form_status(
    instrument: Instrument, make_rating: Callable[..., Rating]
) -> None:
    plan = Plan([instrument], guard=False)
    header = records_header(plan)
    assert header[:2] == ["record_id", "dyad"]
    assert "present___mother" in header and "techniques___b" in header
    assert header[-1] == "export_sample_complete"
    rating = make_rating(
        dyad="-D1",
        answers={
            "narration": Answered(value=1),
            "processing": Missing(missing="not_observed"),
            "techniques": Answered(value=["b"]),
        },
    )
    row = dict(zip(header, next(records_rows(plan, [rating])), strict=True))
    assert row["record_id"] == rating.id and row["dyad"] == "-D1"  # REDCap stores it as is
    assert (row["narration"], row["processing"], row["focus"]) == ("1", "-9", "")
    assert (row["techniques___a"], row["techniques___b"]) == ("0", "1")
    assert row["present___mother"] == ""  # not answered: no 0s claimed
    assert row["export_sample_complete"] == "2"


def test_records_need_a_single_version(instrument: Instrument, instrument_v3: Instrument) -> None:
    with pytest.raises(ExportError, match="one data dictionary"):
        records_header(Plan([instrument, instrument_v3]))


keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True) | st.text(min_size=1, max_size=8)
scalars = (
    st.text(max_size=30)
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)
values = st.recursive(
    scalars | st.lists(scalars, max_size=3),
    lambda inner: (
        st.dictionaries(keys, inner, max_size=3)
        | st.lists(st.dictionaries(keys, inner, min_size=1, max_size=3), min_size=1, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(keys, values, max_size=5))
def test_toml_writer_round_trips_through_tomllib(data: dict[str, Any]) -> None:
    assert tomllib.loads(dumps(data)) == data
