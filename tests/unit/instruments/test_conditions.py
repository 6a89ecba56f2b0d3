"""`show_if`: the model, the rules (references exist and come earlier, values fit the scale,
no cycles) with file/line/key messages, and evaluation in the order questions are asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.instruments.conditions import Condition, describe, hidden_questions, holds
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.loader import parse_instrument

STUDY = Path(__file__).resolve().parents[2] / "data" / "branching_study.toml"


@pytest.fixture
def study_text() -> str:
    return STUDY.read_text(encoding="utf-8")


def test_study_instrument_loads_with_conditions(study_text):
    ins = parse_instrument(study_text, "study.toml")
    modeling = next(i for i in ins.items if i.key == "modeling")
    assert modeling.show_if == Condition(item="infant_awake", equals=1)
    affective = next(i for i in ins.items if i.key == "affective")
    assert describe(affective.show_if) == "narration is one of 1, 2 or modeling is none of 0"


def test_a_condition_changes_the_content_hash(study_text):
    without = study_text.replace('show_if = { item = "infant_awake", equals = 1 }\n', "")
    assert content_hash(parse_instrument(study_text)) != content_hash(parse_instrument(without))


def test_instruments_without_conditions_keep_their_hash(kit):
    """Optional keys left out are not hashed: existing instruments keep their hashes."""
    ins = parse_instrument(kit.MINIMAL_TOML)
    assert "show_if" not in ins.model_dump(exclude_defaults=True)["items"][0]
    assert "scores" not in ins.model_dump(exclude_defaults=True)


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ({"item": "x", "equals": 1}, {"x": 1}, True),
        ({"item": "x", "equals": 1}, {"x": 0}, False),
        ({"item": "x", "equals": 1}, {"x": "1"}, False),  # text is not the number
        ({"item": "x", "equals": 1}, {}, False),  # no value: not asked
        ({"item": "x", "in": [1, 2]}, {"x": 2}, True),
        ({"item": "x", "not_in": [0]}, {"x": 2}, True),
        ({"item": "x", "not_in": [0]}, {"x": 0}, False),
        ({"item": "x", "not_in": [0]}, {}, False),  # no value is never "not 0"
        ({"field": "p", "includes": "infant"}, {"p": ["mother", "infant"]}, True),
        ({"field": "p", "includes": "infant"}, {"p": ["mother"]}, False),
        ({"all": [{"item": "x", "equals": 1}, {"item": "y", "equals": 2}]}, {"x": 1, "y": 2}, True),
        ({"all": [{"item": "x", "equals": 1}, {"item": "y", "equals": 2}]}, {"x": 1}, False),
        ({"any": [{"item": "x", "equals": 1}, {"item": "y", "equals": 2}]}, {"y": 2}, True),
    ],
)
def test_holds(condition, values, expected):
    assert holds(Condition.model_validate(condition), values) is expected


def test_a_hidden_question_hides_what_depends_on_it(study_text):
    ins = parse_instrument(study_text)
    # infant not present: infant_awake not asked, so modeling (which depends on it) neither,
    # even though a stale value for infant_awake is given
    hidden = hidden_questions(ins, {"present": ["mother"]}, {"infant_awake": 1, "narration": 0})
    assert set(hidden) == {"infant_awake", "modeling", "affective"}
    shown = hidden_questions(ins, {"present": ["infant"]}, {"infant_awake": 1, "narration": 2})
    assert shown == {}


# --- rules, with file, line and key ------------------------------------------------------------


def _problems(kit, text: str):
    return kit.problems_in(text, "study.toml")


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        (
            '{ item = "infant_awake", equals = 1 }',
            '{ item = "infant_asleep", equals = 1 }',
            "items[1].show_if.item",
            "'infant_asleep' is not an item",
        ),
        (
            '{ item = "infant_awake", equals = 1 }',
            '{ item = "narration", equals = 1 }',
            "items[1].show_if.item",
            "is asked later",
        ),
        (
            '{ item = "infant_awake", equals = 1 }',
            '{ item = "modeling", equals = 1 }',
            "items[1].show_if.item",
            "refers to itself",
        ),
        (
            '{ item = "infant_awake", equals = 1 }',
            '{ item = "infant_awake", equals = 2 }',
            "items[1].show_if.equals",
            "2 is not a value of the question it refers to (expected one of 1, 0)",
        ),
        (
            '{ field = "present", includes = "infant" }',
            '{ field = "present", includes = "baby" }',
            "items[0].show_if.includes",
            '"baby" is not a value',
        ),
        (
            '{ field = "present", includes = "infant" }',
            '{ field = "present", equals = "infant" }',
            "items[0].show_if.equals",
            "multiple choice: use includes",
        ),
        (
            '{ field = "present", includes = "infant" }',
            '{ field = "dyad", equals = "A" }',
            "items[0].show_if.equals",
            "a text field cannot be a condition",
        ),
        (
            '{ item = "narration", in = [1, 2] }',
            '{ item = "narration", in = [1, 7] }',
            "items[3].show_if.any[0].in",
            "7 is not a value",
        ),
        (
            '{ item = "infant_awake", equals = 1 }',
            '{ item = "infant_awake" }',
            "items[1].show_if",
            "expected exactly one of equals, in, not_in, includes; found none",
        ),
        (
            '{ item = "infant_awake", equals = 1 }',
            '{ item = "infant_awake", equal = 1 }',
            "items[1].show_if.equal",
            "unknown key 'equal'",
        ),
    ],
)
def test_broken_conditions_are_named_by_file_line_and_key(kit, study_text, old, new, path, words):
    text = kit.replace_once(study_text, old, new)
    problem = kit.problem_at(_problems(kit, text), path)
    assert words in problem.message
    assert problem.file == "study.toml"
    assert problem.line == kit.line_with(text, new)


def test_a_field_cannot_depend_on_an_item_or_a_later_field(kit, study_text):
    text = kit.replace_once(
        study_text,
        'choices = [{ code = "mother"',
        'show_if = { item = "narration", equals = 1 }\nchoices = [{ code = "mother"',
    )
    problem = kit.problem_at(_problems(kit, text), "fields[3].show_if.item")
    assert "a field may refer only to earlier fields" in problem.message
    assert problem.line == kit.line_with(text, 'show_if = { item = "narration"')


def test_every_broken_condition_is_reported_at_once(kit, study_text):
    text = kit.replace_once(study_text, 'includes = "infant"', 'includes = "baby"')
    text = kit.replace_once(text, 'item = "infant_awake", equals = 1', 'item = "nope", equals = 1')
    paths = {p.path for p in _problems(kit, text)}
    assert {"items[0].show_if.includes", "items[1].show_if.item"} <= paths


def test_the_documented_example_loads_and_branches_as_the_docs_say():
    """docs/instrument-format.md's complete example is valid and does what the text says."""
    from rating_tui.ratings import Answered, Rating
    from rating_tui.ratings.shown import not_asked, scores_of
    from tests.conftest import REPO

    doc = (REPO / "docs" / "instrument-format.md").read_text(encoding="utf-8")
    example = doc.split("## A complete example", 1)[1].split("```toml\n", 1)[1].split("```")[0]
    ins = parse_instrument(example, "example.toml")
    rating = Rating.new(ins, "RP").replace(
        session={"rater": "RP", "present": ["mother"]}, answers={"narration": Answered(value=2)}
    )
    assert set(not_asked(ins, rating)) == {"modeling"}
    assert scores_of(ins, rating)[0].value == 2
    both = rating.replace(
        session={"rater": "RP", "present": ["mother", "infant"]},
        answers={"narration": Answered(value=2), "modeling": Answered(value=1)},
    )
    assert not_asked(ins, both) == {}
    assert scores_of(ins, both)[0].value == 1.5


def test_the_starter_file_s_commented_branching_and_score_are_valid_when_uncommented():
    import re

    from rating_tui.instruments.starter import starter_text

    text = starter_text("x", "X")
    assert parse_instrument(text).scores == []
    block = text.split("# --- Scores", 1)[1].split("# --- Now moments", 1)[0]
    scores = re.sub(r"^# ", "", block.split("\n", 1)[1], flags=re.MULTILINE)
    uncommented = text.replace(block.split("\n", 1)[1], scores)
    uncommented = uncommented.replace("# show_if = {", "show_if = {")
    ins = parse_instrument(uncommented)
    assert [s.key for s in ins.scores] == ["process_mean"]
    assert ins.items[1].show_if == Condition.model_validate({"item": "first_item", "not_in": [0]})


def test_an_unknown_key_in_a_condition_lists_the_keys_as_written(kit, study_text):
    text = kit.replace_once(study_text, "equals = 1 }", "equal = 1 }")
    problem = kit.problem_at(_problems(kit, text), "items[1].show_if.equal")
    assert "did you mean 'equals'?" in problem.message
    assert "(allowed here: all, any, equals, field, in, includes, item, not_in)" in problem.message
