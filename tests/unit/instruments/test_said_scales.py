"""Scales that would mislead raters or readers without a word: a numeric scale whose max is
off its steps (its top and label could never be rated), and points or choices whose labels
read the same (a rater cannot tell them apart, nor a reader of the export's value labels)."""

from __future__ import annotations

from rating_tui.instruments.loader import parse_instrument
from tests.unit.instruments.test_validation_rules import NUMERIC


def test_a_numeric_max_off_its_steps_is_refused_with_the_last_value_a_rater_could_give(kit):
    text = kit.replace_once(
        kit.MINIMAL_TOML, NUMERIC, 'scale = { type = "numeric", min = 0, max = 100, step = 30 }'
    )
    [problem] = kit.problems_in(text)
    assert "max (100)" in problem.message and "would be 90" in problem.message
    assert "multiple of step" in problem.message


def test_a_decimal_min_off_the_steps_of_max_is_refused(kit):
    text = kit.replace_once(
        kit.MINIMAL_TOML, NUMERIC, 'scale = { type = "numeric", min = 0.5, max = 100, step = 5 }'
    )
    [problem] = kit.problems_in(text)
    assert "would be 95.5" in problem.message


def test_a_max_on_the_steps_is_accepted(kit):
    text = kit.replace_once(
        kit.MINIMAL_TOML, NUMERIC, 'scale = { type = "numeric", min = 0, max = 10, step = 2.5 }'
    )
    parse_instrument(text, "mini.toml")


def test_two_points_that_read_the_same_are_refused(kit):
    text = kit.replace_once(kit.MINIMAL_TOML, 'label = "present"', 'label = " Absent"')
    [problem] = kit.problems_in(text)
    assert "points 0 and 1 both read 'Absent'" in problem.message


def test_two_choices_of_a_session_field_that_read_the_same_are_refused(kit):
    text = kit.MINIMAL_TOML + (
        '\n[[fields]]\nkey = "setting"\nlabel = "Setting"\ntype = "single_choice"\n'
        'choices = [{ code = "home", label = "Home" }, { code = "clinic", label = "home" }]\n'
    )
    problem = kit.problem_at(kit.problems_in(text), "fields[3].choices[1].label")
    assert "choices home and clinic both read 'home'" in problem.message


def test_a_label_of_spaces_alone_is_refused(kit):
    """An item labelled '   ' showed as an item without a name, and a point labelled ' ' as
    a blank value label; both validated as ok."""
    text = kit.replace_once(kit.MINIMAL_TOML, 'label = "present"', 'label = "  "')
    [problem] = kit.problems_in(text)
    assert problem.message == "expected text, found only spaces ('  ')"
