"""REDCap fidelity: a dictionary like IeDEA's tblCENTER (HTML sub-labels, a descriptive
field, a dropdown with autocomplete, date_ymd, notes, branching) keeps each field's REDCap
type and validation through import-redcap and export-redcap; descriptive text becomes
section text; branching becomes show_if; scores are written as calculated fields."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rating_tui.instruments.conditions import Condition
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.loader import load_instrument, parse_instrument
from rating_tui.redcap.dictionary import COLUMNS
from rating_tui.redcap.export_dictionary import dictionary_csv
from rating_tui.redcap.import_dictionary import import_dictionary

STUDY = Path(__file__).resolve().parents[2] / "data" / "branching_study.toml"
HEADER = ",".join(f'"{c}"' for c in COLUMNS) + "\n"
COUNTRIES = " | ".join(f"{n}, Country {n}" for n in range(1, 249))
CENTER = HEADER + (
    "record_id,tblcenter,,text,Record ID,,,,,,,,,,,,,\n"
    'intro,tblcenter,,descriptive,"<b>Center information</b><br>One row per clinic.",'
    ",,,,,,,,,,,,\n"
    'center,tblcenter,,text,"Center code<br><span style=""color:gray"">(as used in the '
    'cohort)</span>",,,,,,,,,,,,,\n'
    f'country,tblcenter,,dropdown,Country,"{COUNTRIES}",,autocomplete,,,,,y,,,,,\n'
    "open_d,tblcenter,,text,Date the clinic opened,,,date_ymd,,,,,,,,,,\n"
    'rural,tblcenter,,radio,Setting,"1, Urban | 2, Rural",,,,,,,,,,,,\n'
    "rural_note,tblcenter,,notes,Describe the rural setting,,,,,,,[rural] = '2',,,,,,\n"
    'level,tblcenter,,radio,Level of care,"1, Primary | 2, Secondary | 3, Tertiary"'
    ",,,,,,\"[rural] = '1' or [rural] = '2'\",,,,,,\n"
    "beds,tblcenter,,text,Beds,,,integer,0,500,,,,,,,,\n"
    "staff,tblcenter,,text,Staff,,,integer,0,100,,,,,,,,\n"
    'avg,tblcenter,,calc,Average,"mean([beds],[staff])",,,,,,,,,,,,\n'
    'codes,tblcenter,,calc,Sum of codes,"sum([rural],[level])",,,,,,,,,,,,\n'
)


def rows_of(text: str) -> dict[str, dict[str, str]]:
    return {r[COLUMNS[0]]: r for r in csv.DictReader(io.StringIO(text))}


def test_a_tblcenter_like_dictionary_keeps_types_validation_text_and_branching() -> None:
    imported = import_dictionary(CENTER, "tblCENTER.csv", instrument_id="tblcenter")
    ins = parse_instrument(imported.toml)
    items = {i.key: i for i in ins.items}
    assert items["center"].label == "Center code"
    assert items["center"].help == "(as used in the cohort)"  # the styled sub-label
    assert items["country"].redcap is not None
    assert (items["country"].redcap.type, items["country"].redcap.validation) == (
        "dropdown",
        "autocomplete",
    )
    assert len(ins.scale_of(items["country"]).choices) == 248  # type: ignore[union-attr]
    assert ins.sections[0].title == "Center information"
    assert ins.sections[0].description == "Center information One row per clinic."
    assert items["center"].section == ins.sections[0].key
    assert items["rural_note"].show_if == Condition(item="rural", equals=2)
    assert items["level"].show_if == Condition.model_validate({"item": "rural", "in": [1, 2]})
    assert [(s.key, s.method, s.items) for s in ins.scores] == [("avg", "mean", ["beds", "staff"])]
    assert ins.scores[0].min_answered == 1  # as REDCap's mean: any value given
    assert any("codes: calculated field not carried (rural, level" in w for w in imported.warnings)
    assert not [w for w in imported.warnings if "descriptive" in w or "branching" in w]

    exported = rows_of(dictionary_csv(ins))
    country = exported["country"]
    assert country["Field Type"] == "dropdown"
    assert country["Text Validation Type OR Show Slider Number"] == "autocomplete"
    assert exported["rural_note"]["Field Type"] == "notes"
    assert exported["rural_note"]["Branching Logic (Show field only if...)"] == "[rural] = '2'"
    assert exported["center"]["Section Header"] == "Center information"
    assert exported["center"]["Field Note"] == "(as used in the cohort)"
    assert exported["open_d"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    assert exported["avg"]["Field Type"] == "calc"
    assert exported["avg"]["Choices, Calculations, OR Slider Labels"] == "mean([beds],[staff])"


def test_the_branching_study_round_trips_exactly_through_a_dictionary() -> None:
    study = load_instrument(STUDY).instrument
    text = dictionary_csv(study)
    rows = rows_of(text)
    logic = "Branching Logic (Show field only if...)"
    assert rows["infant_awake"][logic] == "[present(infant)] = '1'"
    assert rows["modeling"][logic] == "[infant_awake] = '1'"
    assert rows["affective"][logic] == (
        "([narration] = '1' or [narration] = '2') or ([modeling] <> '' and [modeling] <> '0')"
    )
    assert rows["process_mean"]["Field Type"] == "calc"
    assert rows["process_mean"]["Choices, Calculations, OR Slider Labels"] == (
        "mean([modeling],[narration],[affective])"
    )
    assert rows["process_sum"]["Choices, Calculations, OR Slider Labels"] == (
        "sum([modeling],[narration],[affective])"
    )
    back = parse_instrument(import_dictionary(text, "study.csv").toml)
    assert content_hash(back) == content_hash(study)
    assert import_dictionary(text, "study.csv").warnings == []
