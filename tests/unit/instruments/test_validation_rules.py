"""Every validation rule of the instrument format, one broken variant of a minimal valid
instrument per rule: the problem must name the key path, the line and what was found/expected."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from rating_tui.instruments.loader import MAX_BYTES, load_instrument, parse_instrument, read_text
from rating_tui.instruments.locate import quote_key
from rating_tui.instruments.model import Instrument, LikertScale, NumericScale
from rating_tui.instruments.problems import InstrumentError

NUMERIC = 'scale = { type = "numeric", min = 0, max = 10 }'
"""The second item's inline scale in the minimal instrument (line 49)."""


@pytest.fixture
def base(kit) -> str:
    return kit.MINIMAL_TOML


@pytest.fixture
def broken(kit, base):
    """broken(old, new) -> (text, problems): the minimal instrument with `old` replaced."""

    def _broken(old: str, new: str) -> tuple[str, list]:
        text = kit.replace_once(base, old, new)
        return text, kit.problems_in(text)

    return _broken


@pytest.fixture
def with_field(kit, base):
    """with_field(toml_lines) -> (text, problems): a fourth [[fields]] entry appended."""

    def _with_field(body: str) -> tuple[str, list]:
        text = base + "\n[[fields]]\n" + body
        return text, kit.problems_in(text)

    return _with_field


def top_level(base: str, line: str) -> str:
    """Insert a top-level `line` before the first table header."""
    return base.replace("\n[[fields]]", f"{line}\n\n[[fields]]", 1)


# --- the baseline -----------------------------------------------------------------------------


def test_minimal_instrument_is_valid(base):
    ins = parse_instrument(base, "mini.toml")
    assert isinstance(ins, Instrument)
    assert ins.ref == "mini@1.0.0"
    assert [i.key for i in ins.items] == ["holding", "attunement"]
    assert isinstance(ins.scale_of(ins.items[0]), LikertScale)
    assert isinstance(ins.scale_of(ins.items[1]), NumericScale)
    assert ins.items[0].anchors == {"0": "no holding", "2": "holding throughout"}
    assert ins.field_with_role("rater").key == "rater"


def test_minimal_layout_has_the_lines_the_tests_rely_on(kit, base):
    assert kit.line_with(base, 'version = "1.0.0"') == 2
    assert kit.line_with(base, 'key = "rater"') == 18
    assert kit.line_with(base, "[scales.presence]") == 23
    assert kit.line_with(base, 'scale = "presence"') == 39
    assert kit.line_with(base, NUMERIC) == 49


# --- unknown keys -----------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_the_close_one(kit, broken):
    text, problems = broken('title = "Mini instrument"', 'title = "Mini instrument"\ntitel = "x"')
    p = kit.problem_at(problems, "titel")
    assert p.line == 4 == kit.line_with(text, "titel")
    assert "unknown key 'titel'" in p.message
    assert "did you mean 'title'?" in p.message
    assert "allowed here:" in p.message and "version" in p.message
    assert len(problems) == 1


def test_unknown_key_in_an_item_suggests_required(kit, broken):
    text, problems = broken('scale = "presence"\n', 'scale = "presence"\nrequird = true\n')
    p = kit.problem_at(problems, "items[0].requird")
    assert p.line == kit.line_with(text, "requird") == 40
    assert "unknown key 'requird'" in p.message
    assert "did you mean 'required'?" in p.message
    allowed = p.message.split("allowed here: ")[1].rstrip(")").split(", ")
    assert allowed == [
        "anchors",
        "help",
        "key",
        "label",
        "missing_codes",
        "redcap",
        "required",
        "scale",
        "section",
        "show_if",
    ]
    assert len(problems) == 1


def test_unknown_key_in_an_inline_scale_lists_that_scale_types_keys(kit, broken):
    _text, problems = broken(NUMERIC, 'scale = { type = "numeric", min = 0, max = 10, stepp = 2 }')
    p = kit.problem_at(problems, "items[1].scale.stepp")
    assert p.line == 49  # an inline table: the line of the key that holds it
    assert "unknown key 'stepp'" in p.message
    assert "did you mean 'step'?" in p.message
    assert "max, max_label, min, min_label, step, type" in p.message
    assert "points" not in p.message  # the keys of numeric, not of another scale type
    assert len(problems) == 1


def test_unknown_key_in_a_named_scale(kit, broken):
    text, problems = broken('type = "likert"\n', 'type = "likert"\ncolour = "blue"\n')
    p = kit.problem_at(problems, "scales.presence.colour")
    assert p.line == kit.line_with(text, "colour") == 25
    assert "unknown key 'colour'" in p.message
    assert "did you mean" not in p.message  # nothing close to 'colour'
    assert "(allowed here: points, type)" in p.message


def test_misspelt_key_in_a_named_scale_also_reports_the_missing_one(kit, broken):
    text, problems = broken("points = [", "pionts = [")
    p = kit.problem_at(problems, "scales.presence.pionts")
    assert p.line == kit.line_with(text, "pionts")
    assert "did you mean 'points'?" in p.message
    missing = kit.problem_at(problems, "scales.presence.points")
    assert missing.message == "required key is missing"
    assert missing.line == 23  # the table's header


def test_unknown_key_in_a_session_field(kit, broken):
    _text, problems = broken('role = "dyad"\n', 'role = "dyad"\nrequired_ = false\n')
    p = kit.problem_at(problems, "fields[0].required_")
    assert p.line == 10
    assert "did you mean 'required'?" in p.message
    assert "pattern_hint" in p.message  # the session field's keys are listed


def test_unknown_key_in_now_moments(kit, base):
    text = top_level(base, "now_moments = { enable = true }")
    p = kit.problem_at(kit.problems_in(text), "now_moments.enable")
    assert p.line == kit.line_with(text, "now_moments")
    assert "did you mean 'enabled'?" in p.message


def test_unknown_key_in_a_missing_code(kit, broken):
    text, problems = broken("export_value = -9\n", "export_value = -9\nexport = 1\n")
    p = kit.problem_at(problems, "missing_codes[0].export")
    assert p.line == kit.line_with(text, "export = 1")
    assert "did you mean 'export_value'?" in p.message


# --- wrong types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "needle", "expected"),
    [
        (
            'title = "Mini instrument"',
            "title = 5",
            "title",
            "title",
            "expected text in quotes, found 5",
        ),
        (
            'label = "Holding"',
            "label = 1.5",
            "items[0].label",
            "label = 1.5",
            "expected text in quotes, found 1.5",
        ),
        (
            'scale = "presence"\n',
            'scale = "presence"\nrequired = "yes"\n',
            "items[0].required",
            'required = "yes"',
            "expected true or false, found 'yes'",
        ),
        (
            'role = "dyad"\n',
            'role = "dyad"\nmax_length = 2.0\n',
            "fields[0].max_length",
            "max_length",
            "expected a whole number, found 2.0",
        ),
        (
            'role = "dyad"\n',
            'role = "dyad"\nmax_length = "200"\n',
            "fields[0].max_length",
            "max_length",
            "expected a whole number, found '200'",
        ),
        (
            'missing_codes = ["not_observed"]',
            'missing_codes = "not_observed"',
            "items[0].missing_codes",
            'missing_codes = "not',
            "expected a list, e.g. [1, 2], found 'not_observed'",
        ),
        (
            "{ value = 0, label",
            '{ value = "0", label',
            "scales.presence.points[0].value",
            "points = [",
            "expected a whole number, found '0'",
        ),
    ],
)
def test_wrong_type(kit, broken, old, new, path, needle, expected):
    text, problems = broken(old, new)
    p = kit.problem_at(problems, path)
    assert p.message == expected
    assert p.line == kit.line_with(text, needle)
    assert len(problems) == 1


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('title = "Mini instrument"', 'title = { en = "Mini" }', "title"),
        ('id = "mini"', "id = {}", "id"),
        ('label = "Holding"', "label = {}", "items[0].label"),
        ('key = "holding"', "key = {}", "items[0].key"),
        ('2 = "holding throughout"', "2 = {}", "items[0].anchors.2"),
        ('missing_codes = ["not_observed"]', "missing_codes = [{}]", "items[0].missing_codes[0]"),
    ],
)
def test_a_table_where_text_is_expected(kit, base, old, new, path):
    text = kit.replace_once(base, old, new)
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "mini.toml")
    p = kit.problem_at(caught.value.problems, path)
    assert p.message == "expected text in quotes, found a table"


def test_unknown_quoted_key_containing_a_dot(kit, broken):
    _text, problems = broken(
        'title = "Mini instrument"', 'title = "Mini instrument"\n"title.en" = "x"'
    )
    [p] = problems
    assert p.line == 4
    assert "unknown key 'title.en'" in p.message
    assert "allowed here: " in p.message and "authors, citation," in p.message


def test_quoted_number_is_not_a_number_in_a_scale(kit, broken):
    _text, problems = broken(NUMERIC, 'scale = { type = "numeric", min = "0", max = 10 }')
    p = kit.problem_at(problems, "items[1].scale.min")
    assert p.line == 49
    assert "found '0'" in p.message
    assert "a number" in p.message


def test_list_where_a_number_or_text_is_expected(kit, broken):
    _text, problems = broken("export_value = -9", "export_value = [1]")
    p = kit.problem_at(problems, "missing_codes[0].export_value")
    assert p.line == 34
    assert "found a list" in p.message
    assert "a whole number" in p.message and "text in quotes" in p.message


def test_number_where_a_scale_is_expected(kit, broken):
    _text, problems = broken('scale = "presence"', "scale = 3")
    p = kit.problem_at(problems, "items[0].scale")
    assert p.line == 39
    assert "found 3" in p.message
    assert "text in quotes" in p.message and "a table" in p.message


def test_text_where_a_list_is_expected_at_top_level(kit, base):
    text = top_level(base, 'authors = "me"')
    p = kit.problem_at(kit.problems_in(text), "authors")
    assert p.line == kit.line_with(text, "authors")
    assert p.message == "expected a list, e.g. [1, 2], found 'me'"


def test_number_where_a_table_is_expected(kit, base):
    text = top_level(base, "now_moments = 3")
    p = kit.problem_at(kit.problems_in(text), "now_moments")
    assert p.line == kit.line_with(text, "now_moments")
    assert p.message == "expected a table, found 3"


def test_unsupported_format_version(kit, base):
    text = "format = 2\n" + base
    p = kit.problem_at(kit.problems_in(text), "format")
    assert p.line == 1
    assert p.message == "expected 1, found 2"


def test_required_key_missing(kit, broken):
    _text, problems = broken('title = "Mini instrument"\n', "")
    p = kit.problem_at(problems, "title")
    assert p.message == "required key is missing"
    assert p.line is None  # nowhere in the file


def test_empty_text_is_not_a_title(kit, broken):
    _text, problems = broken('title = "Mini instrument"', 'title = ""')
    p = kit.problem_at(problems, "title")
    assert p.line == 3
    assert "at least 1 character" in p.message and "found ''" in p.message


def test_empty_file_names_every_required_key(kit):
    problems = kit.problems_in("")
    assert {p.path for p in problems} == {"id", "version", "title", "fields", "items"}
    assert all(p.message == "required key is missing" for p in problems)


# --- ids, versions, keys ----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0", "01.0.0", "1.0.0-", "v1.0.0", "1.0.0.0", "1.0.0-rc..1"])
def test_bad_semver(kit, broken, version):
    _text, problems = broken('version = "1.0.0"', f'version = "{version}"')
    p = kit.problem_at(problems, "version")
    assert p.line == 2
    assert 'expected a semantic version such as "1.0.0"' in p.message
    assert f"found {version!r}" in p.message


@pytest.mark.parametrize("version", ["0.0.1", "1.0.0-rc.1", "1.0.0+build.5", "10.20.30-alpha-1"])
def test_good_semver(kit, base, version):
    text = kit.replace_once(base, 'version = "1.0.0"', f'version = "{version}"')
    assert parse_instrument(text).version == version


@pytest.mark.parametrize("bad_id", ["Mini Instrument", "1mini", "", "mini/x", "m" * 64])
def test_bad_id(kit, broken, bad_id):
    _text, problems = broken('id = "mini"', f'id = "{bad_id}"')
    p = kit.problem_at(problems, "id")
    assert p.line == 1
    assert 'expected a lower-case id such as "my-instrument"' in p.message
    assert "found '" + bad_id[:10] in p.message


@pytest.mark.parametrize("good_id", ["mini.v2-x_y", "m" * 63])
def test_good_id(kit, base, good_id):
    text = kit.replace_once(base, 'id = "mini"', f'id = "{good_id}"')
    assert parse_instrument(text).id == good_id


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('key = "holding"', 'key = "Holding-1"', "items[0].key"),
        ('key = "holding"', 'key = "' + "h" * 64 + '"', "items[0].key"),
        ('key = "rater"', 'key = "2nd_rater"', "fields[2].key"),
        ('code = "not_observed"', 'code = "not-observed"', "missing_codes[0].code"),
        (
            'missing_codes = ["not_observed"]',
            'missing_codes = ["Not observed"]',
            "items[0].missing_codes[0]",
        ),
    ],
)
def test_bad_key_pattern(kit, broken, old, new, path):
    text, problems = broken(old, new)
    p = kit.problem_at(problems, path)
    assert p.line == kit.line_with(text, new[:20])
    assert (
        "expected a lower-case key: a letter, then letters, digits or _ (at most 63)" in p.message
    )
    assert "found '" in p.message


def test_longest_key_is_accepted(kit, base):
    key = "h" * 63
    text = kit.replace_once(base, 'key = "holding"', f'key = "{key}"')
    assert parse_instrument(text).items[0].key == key


def test_bad_section_key(kit, base):
    text = top_level(base, 'sections = [{ key = "Intro", title = "Intro" }]')
    p = kit.problem_at(kit.problems_in(text), "sections[0].key")
    assert p.line == kit.line_with(text, "sections =")
    assert "found 'Intro'" in p.message


def test_bad_scale_name(kit, base):
    text = base.replace("[scales.presence]", '[scales."Bad Name"]').replace(
        'scale = "presence"', 'scale = "Bad Name"'
    )
    problems = kit.problems_in(text)
    names = [p for p in problems if p.path.startswith("scales.")]
    assert len(names) == 1
    assert names[0].line == 23
    assert (
        "expected a lower-case key" in names[0].message and "found 'Bad Name'" in names[0].message
    )
    ref = kit.problem_at(problems, "items[0].scale")
    assert ref.line == 39 and "found 'Bad Name'" in ref.message


# --- uniqueness -------------------------------------------------------------------------------


def test_duplicate_item_keys(kit, broken):
    _text, problems = broken('key = "attunement"', 'key = "holding"')
    p = kit.problem_at(problems, "items[1].key")
    assert p.line == 47
    assert p.message == "duplicate item key 'holding'; each must be unique"
    assert len(problems) == 1


def test_duplicate_field_keys(kit, broken):
    _text, problems = broken('key = "rater"', 'key = "dyad"')
    p = kit.problem_at(problems, "fields[2].key")
    assert p.line == 18
    assert p.message == "duplicate session field key 'dyad'; each must be unique"
    assert len(problems) == 1


def test_field_key_clashing_with_item_key(kit, broken):
    _text, problems = broken('key = "rater"', 'key = "holding"')
    p = kit.problem_at(problems, "fields[2].key")
    assert p.line == 18
    assert "'holding' is also an item key" in p.message
    assert len(problems) == 1


def test_duplicate_roles(kit, broken):
    _text, problems = broken('role = "rater"', 'role = "dyad"')
    p = kit.problem_at(problems, "fields[2].role")
    assert p.line == 21
    assert p.message == "duplicate role 'dyad'; each must be unique"
    # and the role it displaced is now missing
    missing = kit.problem_at(problems, "fields")
    assert 'role = "rater"' in missing.message


def test_duplicate_missing_codes(kit, base):
    text = base + '\n[[missing_codes]]\ncode = "not_observed"\nlabel = "Again"\nexport_value = -8\n'
    p = kit.problem_at(kit.problems_in(text), "missing_codes[1].code")
    assert p.line == len(base.split("\n")) + 2
    assert p.message == "duplicate code 'not_observed'; each must be unique"


def test_duplicate_section_keys(kit, base):
    text = top_level(base, 'sections = [{ key = "a", title = "A" }, { key = "a", title = "B" }]')
    p = kit.problem_at(kit.problems_in(text), "sections[1].key")
    assert p.line == kit.line_with(text, "sections =")
    assert p.message == "duplicate section key 'a'; each must be unique"


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["dyad", "session_date", "rater"])
def test_missing_required_role(kit, broken, role):
    _text, problems = broken(f'role = "{role}"\n', "")
    p = kit.problem_at(problems, "fields")
    assert p.line == 5  # the first [[fields]]
    assert p.message == f'no session field has role = "{role}"; exactly one must'
    assert len(problems) == 1


def test_session_number_role_is_optional_but_usable(kit, base):
    text = base + '\n[[fields]]\nkey = "session_no"\nlabel = "Session"\ntype = "integer"\n'
    text += 'role = "session_number"\ndefault = "next"\n'
    ins = parse_instrument(text)
    assert ins.field_with_role("session_number").default == "next"


# --- anchors ----------------------------------------------------------------------------------


def test_anchor_outside_a_likert_scale(kit, broken):
    _text, problems = broken('2 = "holding throughout"', '5 = "holding throughout"')
    p = kit.problem_at(problems, "items[0].anchors.5")
    assert p.line == 44
    assert p.message == (
        "point '5' is outside the scale; expected one of the scale's points: 0, 1, 2"
    )
    assert len(problems) == 1


@pytest.mark.parametrize(
    ("key", "scale"),
    [
        ('"2.5"', NUMERIC),  # not on a step of 1
        ("11", NUMERIC),  # beyond max
        ("-1", NUMERIC),  # below min
        ('"0.3"', 'scale = { type = "numeric", min = 0, max = 1, step = 0.25 }'),
        ('"nan"', NUMERIC),
        ('"ten"', NUMERIC),
    ],
)
def test_anchor_outside_a_numeric_scale(kit, base, key, scale):
    text = kit.replace_once(base, NUMERIC, scale) + f'\n[items.anchors]\n{key} = "x"\n'
    problems = kit.problems_in(text)
    point = key.strip('"')
    p = kit.problem_at(problems, f"items[1].anchors.{quote_key(point)}")
    assert p.line == kit.line_with(text, f'{key} = "x"')
    assert f"point {point!r} is outside the scale" in p.message
    assert "expected a number from 0 to" in p.message and "in steps of" in p.message
    assert len(problems) == 1


@pytest.mark.parametrize(
    ("key", "scale"),
    [
        ("10", NUMERIC),
        ("0", NUMERIC),
        ('"0.75"', 'scale = { type = "numeric", min = 0, max = 1, step = 0.25 }'),
        ('"0.3"', 'scale = { type = "numeric", min = 0, max = 1, step = 0.1 }'),  # no float drift
        ('"-5"', 'scale = { type = "numeric", min = -10, max = 10, step = 5 }'),
    ],
)
def test_anchor_inside_a_numeric_scale(kit, base, key, scale):
    text = kit.replace_once(base, NUMERIC, scale) + f'\n[items.anchors]\n{key} = "x"\n'
    assert parse_instrument(text).items[1].anchors == {key.strip('"'): "x"}


@pytest.mark.parametrize("key", ['"1_0"', '" 5"', '"1e1"'])
def test_anchor_spelled_unlike_a_number_is_outside_a_numeric_scale(kit, base, key):
    text = kit.replace_once(base, NUMERIC, NUMERIC) + f'\n[items.anchors]\n{key} = "x"\n'
    problems = kit.problems_in(text)
    p = kit.problem_at(problems, f"items[1].anchors.{quote_key(key.strip(chr(34)))}")
    assert "is outside the scale" in p.message


def test_anchors_on_a_text_scale(kit, broken):
    _text, problems = broken(NUMERIC, 'scale = { type = "text" }\nanchors = { 1 = "x" }')
    p = kit.problem_at(problems, "items[1].anchors")
    assert p.line == 50
    assert p.message == "a free-text scale has no points to anchor"
    assert len(problems) == 1


def test_anchor_outside_a_yes_no_scale(kit, broken):
    _text, problems = broken(NUMERIC, 'scale = { type = "yes_no" }\nanchors = { 1 = "a", 2 = "b" }')
    p = kit.problem_at(problems, "items[1].anchors.2")
    assert p.line == 50
    assert "point '2' is outside the scale" in p.message and "1, 0" in p.message
    assert len(problems) == 1


def test_anchor_outside_a_choice_scale(kit, broken):
    _text, problems = broken(
        NUMERIC,
        'scale = { type = "single_choice", choices = [{ code = "a", label = "A" }] }\n'
        'anchors = { a = "fine", b = "no such code" }',
    )
    p = kit.problem_at(problems, "items[1].anchors.b")
    assert "point 'b' is outside the scale" in p.message
    assert "expected one of the scale's points: a" in p.message
    assert len(problems) == 1


def test_empty_anchor_text(kit, broken):
    _text, problems = broken('2 = "holding throughout"', '2 = ""')
    p = kit.problem_at(problems, "items[0].anchors.2")
    assert p.line == 44
    assert "at least 1 character" in p.message


# --- scales -----------------------------------------------------------------------------------


def scale_problem(kit, problems):
    """The one problem about the second item's inline scale (see the xfail test for its path)."""
    found = [p for p in problems if p.path.startswith("items[1].scale")]
    assert len(found) == 1, problems
    assert len(problems) == 1, problems
    return found[0]


@pytest.mark.parametrize(
    ("inline", "message"),
    [
        ("min = 10, max = 0", "min (10) is greater than max (0)"),
        ("min = 3, max = 3", "the scale is empty: min and max are both 3"),
        ("min = 0, max = 10, step = 0", "step must be greater than 0, found 0"),
        ("min = 0, max = 10, step = -1", "step must be greater than 0, found -1"),
        ("min = 0, max = 1, step = -0.5", "step must be greater than 0, found -0.5"),
    ],
)
def test_bad_numeric_range(kit, broken, inline, message):
    _text, problems = broken(NUMERIC, f'scale = {{ type = "numeric", {inline} }}')
    p = scale_problem(kit, problems)
    assert p.line == 49
    assert p.message == message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (NUMERIC, 'scale = { type = "numeric", min = 10, max = 0 }', "items[1].scale"),
        (NUMERIC, "scale = { min = 0, max = 10 }", "items[1].scale"),
        (
            "[scales.presence]",
            '[scales.slider]\ntype = "numeric"\nmin = 5\nmax = 5\n\n[scales.presence]',
            "scales.slider",
        ),
    ],
    ids=["model-rule-on-inline-scale", "missing-type", "model-rule-on-named-scale"],
)
def test_scale_problem_paths_are_plain_key_paths(kit, broken, old, new, expected):
    _text, problems = broken(old, new)
    paths = [p.path for p in problems if p.path.startswith(expected)]
    assert paths, problems
    for path in paths:
        rest = path[len(expected) :]
        # either the scale itself or one of its real keys, never a pydantic label
        assert rest == "" or re.fullmatch(r"\.(min|max|step|type)", rest), path


def test_bad_scale_name_path_is_the_scale(kit, base):
    text = base.replace("[scales.presence]", '[scales."Bad Name"]')
    paths = [p.path for p in kit.problems_in(text) if p.path.startswith("scales")]
    assert paths == ['scales."Bad Name"']


def test_scale_without_type(kit, broken):
    _text, problems = broken(NUMERIC, "scale = { min = 0, max = 10 }")
    p = scale_problem(kit, problems)
    assert p.line == 49
    assert "required key 'type' is missing" in p.message and "likert" in p.message


def test_unknown_scale_type(kit, broken):
    _text, problems = broken('type = "likert"', 'type = "likret"')
    p = kit.problem_at(problems, "scales.presence")
    assert p.line == 23
    assert "type likret is not known" in p.message
    assert "'likert'" in p.message and "'numeric'" in p.message


def test_likert_with_one_point(kit, broken):
    _text, problems = broken(
        '  { value = 1, label = "present" },\n  { value = 2, label = "central" },\n', ""
    )
    p = kit.problem_at(problems, "scales.presence.points")
    assert p.line == 25
    assert "at least 2 items" in p.message and "not 1" in p.message


def test_likert_with_twelve_points(kit, broken):
    extra = "".join(f'{{ value = {v}, label = "p{v}" }}, ' for v in range(3, 12))
    _text, problems = broken("points = [", "points = [" + extra)
    p = kit.problem_at(problems, "scales.presence.points")
    assert "at most 11 items" in p.message and "not 12" in p.message


def test_duplicate_point_values(kit, broken):
    _text, problems = broken("{ value = 2, label", "{ value = 1, label")
    p = kit.problem_at(problems, "scales.presence.points")
    assert p.line == 25
    assert p.message == "duplicate point value 1: each must be unique"


def test_empty_choices(kit, broken):
    _text, problems = broken(NUMERIC, 'scale = { type = "single_choice", choices = [] }')
    p = kit.problem_at(problems, "items[1].scale.choices")
    assert p.line == 49
    assert "at least 1 item" in p.message and "not 0" in p.message


@pytest.mark.parametrize("second", ["1", '"1"'])
def test_duplicate_choice_codes(kit, broken, second):
    _text, problems = broken(
        NUMERIC,
        'scale = { type = "multiple_choice", choices = '
        f'[{{ code = 1, label = "a" }}, {{ code = {second}, label = "b" }}] }}',
    )
    p = kit.problem_at(problems, "items[1].scale.choices")
    assert p.line == 49
    assert p.message == "duplicate choice code '1': each must be unique"


def test_text_scale_max_length_bounds(kit, broken):
    _text, problems = broken(NUMERIC, 'scale = { type = "text", max_length = 0 }')
    p = kit.problem_at(problems, "items[1].scale.max_length")
    assert "greater than or equal to 1" in p.message and "found 0" in p.message


# --- cross references -------------------------------------------------------------------------


def test_reference_to_an_undefined_scale(kit, broken):
    _text, problems = broken('scale = "presence"', 'scale = "presense"')
    p = kit.problem_at(problems, "items[0].scale")
    assert p.line == 39
    assert p.message == "'presense' is not a scale defined in [scales] (defined: presence)"
    assert len(problems) == 1


def test_undefined_missing_code(kit, broken):
    _text, problems = broken(
        'missing_codes = ["not_observed"]', 'missing_codes = ["not_observed", "n_a"]'
    )
    p = kit.problem_at(problems, "items[0].missing_codes[1]")
    assert p.line == 40
    assert p.message == "'n_a' is not defined in [[missing_codes]] (defined: not_observed)"
    assert len(problems) == 1


def test_undefined_section(kit, broken):
    text, problems = broken('scale = "presence"\n', 'scale = "presence"\nsection = "intro"\n')
    p = kit.problem_at(problems, "items[0].section")
    assert p.line == kit.line_with(text, "section =") == 40
    assert p.message == "'intro' is not defined in [[sections]] (defined: none)"


def test_undefined_section_lists_the_defined_ones(kit, base):
    text = top_level(base, 'sections = [{ key = "b", title = "B" }, { key = "a", title = "A" }]')
    text = kit.replace_once(text, 'scale = "presence"\n', 'scale = "presence"\nsection = "c"\n')
    p = kit.problem_at(kit.problems_in(text), "items[0].section")
    assert p.message == "'c' is not defined in [[sections]] (defined: a, b)"


def test_now_moment_tag_naming_no_item(kit, base):
    text = base + '\n[now_moments]\ntags = ["holding", "nope"]\n'
    p = kit.problem_at(kit.problems_in(text), "now_moments.tags[1]")
    assert p.line == kit.line_with(text, "tags =")
    assert p.message == "'nope' names no item (items: attunement, holding)"


def test_now_moment_tags_default_to_every_item(kit, base):
    ins = parse_instrument(base + "\n[now_moments]\nprompt = 'A moment?'\n")
    assert ins.moment_tags == ["holding", "attunement"]
    assert parse_instrument(base).moment_tags == []  # disabled when absent


# --- session fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("default", ['"yesterday"', '"31.01.2026"', '"2026-02-30"', "5"])
def test_bad_date_default(kit, broken, default):
    _text, problems = broken(
        'role = "session_date"\n', f'role = "session_date"\ndefault = {default}\n'
    )
    p = kit.problem_at(problems, "fields[1].default")
    assert p.line == 16
    assert p.message.startswith("expected ")
    assert '"today"' in p.message and "2026-01-31" in p.message
    found = repr(default.strip('"')) if default.startswith('"') else default
    assert p.message.endswith(f"found {found}")


@pytest.mark.parametrize("default", ["today", "2026-01-31"])
def test_good_date_default(kit, base, default):
    text = kit.replace_once(
        base, 'role = "session_date"\n', f'role = "session_date"\ndefault = "{default}"\n'
    )
    assert parse_instrument(text).fields[1].default == default


SETTING = (
    'key = "setting"\nlabel = "Setting"\ntype = "single_choice"\n'
    'choices = [{ code = 1, label = "home" }, { code = 2, label = "clinic" }]\n'
)


@pytest.mark.parametrize("default", ["3", '"1"'])
def test_choice_default_not_a_code(kit, with_field, default):
    text, problems = with_field(SETTING + f"default = {default}\n")
    p = kit.problem_at(problems, "fields[3].default")
    assert p.line == kit.line_with(text, "default =")
    found = repr(3) if default == "3" else repr("1")
    assert p.message == f"expected one of the choice codes (1, 2), found {found}"


def test_choice_default_that_is_a_code(kit, base):
    ins = parse_instrument(base + "\n[[fields]]\n" + SETTING + "default = 2\n")
    assert ins.fields[3].default == 2


def test_multiple_choice_default_not_codes(kit, with_field):
    body = SETTING.replace('"single_choice"', '"multiple_choice"') + "default = [1, 7]\n"
    _text, problems = with_field(body)
    p = kit.problem_at(problems, "fields[3].default")
    assert p.message == "expected a list of choice codes (1, 2), found [1, 7]"


def test_multiple_choice_default_that_is_codes(kit, base):
    body = SETTING.replace('"single_choice"', '"multiple_choice"') + "default = [2, 1]\n"
    assert parse_instrument(base + "\n[[fields]]\n" + body).fields[3].default == [2, 1]


def test_toml_date_as_date_default(kit, base):
    text = kit.replace_once(
        base, 'role = "session_date"\n', 'role = "session_date"\ndefault = 2026-01-31\n'
    )
    assert parse_instrument(text).fields[1].default == "2026-01-31"


SESSION_NO = 'key = "session_no"\nlabel = "Session"\ntype = "integer"\n'


def test_integer_default_next_is_accepted_for_the_session_number(kit, base):
    text = base + "\n[[fields]]\n" + SESSION_NO + 'role = "session_number"\ndefault = "next"\n'
    assert parse_instrument(text).fields[3].default == "next"


def test_integer_default_next_needs_the_session_number_role(kit, with_field):
    text, problems = with_field(SESSION_NO + 'default = "next"\n')
    p = kit.problem_at(problems, "fields[3].default")
    assert p.line == kit.line_with(text, "default =")
    assert '"next" is only for the field with role = "session_number"' in p.message
    assert p.message.endswith("found 'next'")


@pytest.mark.parametrize(("default", "found"), [('"first"', "'first'"), ("1.5", "1.5")])
def test_integer_default_other_values(kit, with_field, default, found):
    text, problems = with_field(SESSION_NO + f"default = {default}\n")
    p = kit.problem_at(problems, "fields[3].default")
    assert p.line == kit.line_with(text, "default =")
    assert p.message == f"expected a whole number, found {found}"


def test_integer_default_outside_min_max(kit, with_field):
    text, problems = with_field(SESSION_NO + "min = 1\nmax = 40\ndefault = 41\n")
    p = kit.problem_at(problems, "fields[3].default")
    assert p.line == kit.line_with(text, "default =")
    assert p.message == "expected a value from 1 to 40, found 41"


def test_integer_field_with_a_fractional_bound(kit, with_field):
    text, problems = with_field(SESSION_NO + "max = 2.5\n")
    p = kit.problem_at(problems, "fields[3].max")
    assert p.line == kit.line_with(text, "max = 2.5")
    assert "expected a whole number" in p.message and "found 2.5" in p.message


def test_number_default_text(kit, with_field):
    _text, problems = with_field('key = "n"\nlabel = "N"\ntype = "number"\ndefault = "x"\n')
    assert kit.problem_at(problems, "fields[3].default").message == "expected a number, found 'x'"


def test_text_default_number(kit, broken):
    _text, problems = broken('role = "dyad"\n', 'role = "dyad"\ndefault = 5\n')
    p = kit.problem_at(problems, "fields[0].default")
    assert p.line == 10
    assert p.message == "expected text, found 5"


def test_pattern_that_is_not_a_regex(kit, broken):
    _text, problems = broken('role = "dyad"\n', 'role = "dyad"\npattern = "[A-Z"\n')
    p = kit.problem_at(problems, "fields[0].pattern")
    assert p.line == 10
    assert p.message.startswith("not a valid regular expression (")
    assert "unterminated character set" in p.message


def test_pattern_hint_without_a_pattern(kit, broken):
    _text, problems = broken('role = "dyad"\n', 'role = "dyad"\npattern_hint = "two letters"\n')
    p = kit.problem_at(problems, "fields[0].pattern_hint")
    assert p.line == 10
    assert p.message == "describes a pattern, but the field has none"


def test_pattern_and_hint_are_accepted_on_a_text_field(kit, base):
    text = kit.replace_once(
        base,
        'role = "dyad"\n',
        'role = "dyad"\npattern = "[A-Z]{2}[0-9]{3}"\npattern_hint = "AB123"\n',
    )
    assert parse_instrument(text).fields[0].pattern == "[A-Z]{2}[0-9]{3}"


def test_pattern_on_a_non_text_field(kit, broken):
    _text, problems = broken('role = "session_date"\n', 'role = "session_date"\npattern = "^x$"\n')
    p = kit.problem_at(problems, "fields[1].pattern")
    assert p.line == 16
    assert p.message == "only text fields have a pattern, not date"


def test_choice_field_without_choices(kit, with_field):
    text, problems = with_field('key = "setting"\nlabel = "Setting"\ntype = "single_choice"\n')
    p = kit.problem_at(problems, "fields[3].choices")
    assert p.message == "a single_choice field needs at least one choice"
    assert p.line == kit.line_with(text, 'key = "setting"') - 1  # falls back to [[fields]]


def test_text_field_with_choices_and_numeric_bounds(kit, with_field):
    body = SETTING.replace('"single_choice"', '"text"').replace("code = 2", "code = 1")
    body += "max = 1\n"
    text, problems = with_field(body)
    assert kit.problem_at(problems, "fields[3].choices").message == (
        "only choice fields have choices, not text"
    )
    dup = kit.problem_at(problems, "fields[3].choices[1].code")
    assert dup.message == "duplicate code '1'; each must be unique"
    bound = kit.problem_at(problems, "fields[3].max")
    assert bound.message == "only integer and number fields have max"
    assert bound.line == kit.line_with(text, "choices = [") + 1


def test_field_min_above_max(kit, with_field):
    text, problems = with_field('key = "n"\nlabel = "N"\ntype = "integer"\nmin = 3\nmax = 1\n')
    p = kit.problem_at(problems, "fields[3].min")
    assert p.line == kit.line_with(text, "min = 3")
    assert p.message == "min (3) is greater than max (1)"


def test_several_missing_roles_are_not_alternatives(kit, base):
    text = re.sub(r'role = "\w+"\n', "", base)
    at_fields = [p for p in kit.problems_in(text) if p.path == "fields"]
    joined = " ".join(p.message for p in at_fields)
    for role in ("dyad", "session_date", "rater"):
        assert f'role = "{role}"' in joined
    assert not any(p.message.startswith("expected one of") for p in at_fields)


def test_two_rules_broken_by_one_key_are_not_alternatives(kit, with_field):
    _text, problems = with_field('key = "n"\nlabel = "N"\ntype = "text"\nmin = 3\nmax = 1\n')
    at_min = [p for p in problems if p.path == "fields[3].min"]
    joined = " ".join(p.message for p in at_min)
    assert "only integer and number fields have min" in joined
    assert "min (3) is greater than max (1)" in joined
    assert not any(p.message.startswith("expected one of") for p in at_min)


# --- numbers that are not numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    "inline", ["min = nan, max = 10", "min = 0, max = inf", "min = 0, max = 10, step = nan"]
)
def test_numeric_scale_rejects_nan_and_inf(kit, base, inline):
    text = kit.replace_once(base, NUMERIC, f'scale = {{ type = "numeric", {inline} }}')
    problems = kit.problems_in(text)
    assert any(p.path.startswith("items[1].scale") for p in problems)


def test_anchor_on_a_very_fine_numeric_scale_does_not_crash(kit, base):
    text = (
        kit.replace_once(
            base, NUMERIC, 'scale = { type = "numeric", min = 0, max = 1e30, step = 1e-10 }'
        )
        + '\n[items.anchors]\n"1e29" = "x"\n'
    )
    with contextlib.suppress(InstrumentError):  # accepting or reporting are both fine
        parse_instrument(text, "mini.toml")


def test_deeply_nested_toml_is_a_problem_not_a_crash(kit):
    text = "a = " + "[" * 2000 + "]" * 2000 + "\n"
    [p] = kit.problems_in(text)
    assert "nested" in p.message


# --- missing codes ----------------------------------------------------------------------------


def test_duplicate_export_values(kit, base):
    text = base + '\n[[missing_codes]]\ncode = "n_a"\nlabel = "Not applicable"\nexport_value = -9\n'
    p = kit.problem_at(kit.problems_in(text), "missing_codes[1].export_value")
    assert p.line == len(base.split("\n")) + 4
    assert p.message == "duplicate export value '-9'; each must be unique"


@pytest.mark.parametrize(
    ("export", "clash"), [("1", True), ('"2"', True), ("-9", False), ("3", False)]
)
def test_missing_code_exported_as_a_likert_point(kit, base, export, clash):
    text = kit.replace_once(base, "export_value = -9", f"export_value = {export}")
    if not clash:
        assert parse_instrument(text).missing_codes[0].export_value is not None
        return
    p = kit.problem_at(kit.problems_in(text), "items[0].missing_codes[0]")
    assert p.line == 40
    assert f"'not_observed' is exported as {export.strip(chr(34))}" in p.message
    assert "a value the item's scale can take" in p.message


def test_missing_code_exported_inside_a_numeric_scale(kit, base):
    text = kit.replace_once(base, "export_value = -9", "export_value = 5")
    text = kit.replace_once(text, NUMERIC, NUMERIC + '\nmissing_codes = ["not_observed"]')
    problems = kit.problems_in(text)
    p = kit.problem_at(problems, "items[1].missing_codes[0]")
    assert p.line == 50
    assert "exported as 5," in p.message
    assert len(problems) == 1  # 5 is no point of the 0-2 likert scale of the first item


# --- the file itself --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ('title = "Mini instrument"', 'title = "Mini instrument', 3, "Illegal character"),
        ('[[items]]\nkey = "attunement"', '[[items]\nkey = "attunement"', 46, "']]'"),
        ('2 = "holding throughout"', '2 = "holding throughout"\n2 = "twice"', 45, "overwrite"),
    ],
)
def test_malformed_toml_gives_the_line(kit, broken, old, new, line, reason):
    _text, problems = broken(old, new)
    assert len(problems) == 1
    p = problems[0]
    assert p.path == ""
    assert p.line == line
    assert p.message.startswith("not valid TOML: ")
    assert reason.lower() in p.message.lower()
    assert "(at line" not in p.message  # the position is in `line`, not repeated
    assert str(p).startswith(f"mini.toml:{line}: not valid TOML")


def test_malformed_toml_at_end_of_document(kit, base):
    text = base + 'help = """never closed\n'
    [p] = kit.problems_in(text)
    assert p.message == "not valid TOML: Unterminated string"
    assert p.line == len(text.split("\n"))


def test_problem_line_after_a_label_with_a_unicode_line_separator(kit, base):
    text = kit.replace_once(base, 'label = "Holding"', 'label = "Hold\u2028ing"')
    text = kit.replace_once(text, 'key = "attunement"', 'key = "Attunement"')
    p = kit.problem_at(kit.problems_in(text), "items[1].key")
    assert p.line == 47


def test_nul_bytes(kit, base):
    [p] = kit.problems_in(base + "\x00")
    assert p.message == "contains NUL bytes: this is a binary file, not TOML"


def test_nul_bytes_from_a_file(write, base):
    path = write("nul.toml", base.encode() + b"\x00\x01")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    [p] = caught.value.problems
    assert p.file == str(path)
    assert "NUL bytes" in p.message


def test_non_utf8_bytes(write, base):
    data = base.replace("Holding", "Halt\u00e9").encode("latin-1")
    path = write("latin1.toml", data)
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    [p] = caught.value.problems
    offset = data.index(b"\xe9")
    assert p.file == str(path)
    assert p.message == (
        f"is not UTF-8 text (byte 0xe9 at offset {offset}); expected a TOML file saved as UTF-8"
    )


def test_folder_given_as_a_file(tmp_path):
    folder = tmp_path / "instrument.toml"
    folder.mkdir()
    with pytest.raises(InstrumentError) as caught:
        load_instrument(folder)
    [p] = caught.value.problems
    assert p.file == str(folder)
    assert p.message == "is a folder; expected an instrument file (.toml)"


def test_missing_file(tmp_path):
    with pytest.raises(InstrumentError) as caught:
        load_instrument(tmp_path / "absent.toml", display="absent.toml")
    [p] = caught.value.problems
    assert (p.file, p.message) == ("absent.toml", "no such file")
    assert str(p) == "absent.toml: no such file"


def test_file_over_one_megabyte(write, base):
    comment = "# " + "x" * 98 + "\n"
    padding = comment * (MAX_BYTES // len(comment) + 1)
    path = write("big.toml", base + padding)
    assert path.stat().st_size > MAX_BYTES
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    [p] = caught.value.problems
    assert p.message.startswith("is 1.0 MB; an instrument file is at most 1000 kB")


def test_file_just_under_the_limit_is_read(write, base):
    comment = "# " + "x" * 98 + "\n"
    body = base + comment * ((MAX_BYTES - len(base)) // len(comment))
    path = write("nearly.toml", body)
    assert path.stat().st_size <= MAX_BYTES
    assert load_instrument(path).instrument.id == "mini"


def test_byte_order_mark_is_accepted(write, base):
    path = write("bom.toml", b"\xef\xbb\xbf" + base.encode())
    loaded = load_instrument(path, source="user")
    assert loaded.instrument.id == "mini"
    assert loaded.source == "user"
    assert loaded.path == path


def test_problem_lines_count_from_the_file_start_with_a_bom(write, base):
    text = base.replace('title = "Mini instrument"', 'title = "Mini instrument"\ntitel = 1')
    path = write("bom.toml", b"\xef\xbb\xbf" + text.encode())
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    [p] = caught.value.problems
    assert (p.path, p.line) == ("titel", 4)


# --- several problems -------------------------------------------------------------------------


def test_several_field_problems_are_all_reported(kit, base):
    text = base.replace('version = "1.0.0"', 'version = "1"')
    text = text.replace('role = "rater"\n', 'role = "rater"\ncolour = 1\n')
    text = text.replace('label = "Holding"', "label = 5")
    text = text.replace(NUMERIC, 'scale = { type = "numeric", min = 5, max = 5 }')
    problems = kit.problems_in(text)
    by_path = {p.path: p for p in problems}
    assert by_path["version"].line == 2
    assert by_path["fields[2].colour"].line == kit.line_with(text, "colour")
    assert by_path["items[0].label"].line == kit.line_with(text, "label = 5")
    assert any(p.path.startswith("items[1].scale") and "empty" in p.message for p in problems)
    assert len(problems) == 4
    error = str(InstrumentError(problems))
    assert len(error.splitlines()) == 4


def test_several_reference_problems_are_all_reported(kit, base):
    text = base.replace('scale = "presence"', 'scale = "nope"')
    text = text.replace('key = "attunement"', 'key = "holding"')
    text = text.replace('role = "rater"', 'role = "dyad"')
    text += '\n[now_moments]\ntags = ["ghost"]\n'
    paths = {p.path for p in kit.problems_in(text)}
    assert paths == {
        "items[0].scale",
        "items[1].key",
        "fields[2].role",
        "fields",
        "now_moments.tags[0]",
    }


def test_field_and_reference_problems_are_reported_together(kit, base):
    text = base.replace('version = "1.0.0"', 'version = "1"')
    text = text.replace('scale = "presence"', 'scale = "nope"')
    paths = {p.path for p in kit.problems_in(text)}
    assert paths == {"version", "items[0].scale"}


def test_error_text_lists_file_line_path_and_message(kit, broken):
    _text, problems = broken('scale = "presence"', 'scale = "presense"')
    assert str(problems[0]) == (
        "mini.toml:39: items[0].scale: 'presense' is not a scale defined in [scales]"
        " (defined: presence)"
    )


def test_load_instrument_reports_the_display_name(write, base):
    path = write("deep/x.toml", base.replace('id = "mini"', 'id = "X"'))
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path, display="x.toml")
    [p] = caught.value.problems
    assert p.file == "x.toml" and p.path == "id" and p.line == 1


def test_load_instrument_returns_path_source_and_hash(write, base):
    path = write("ok.toml", base)
    loaded = load_instrument(path, source="built-in")
    assert loaded.ref == "mini@1.0.0"
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.content_hash)


def test_read_text_strips_only_the_bom(tmp_path: Path):
    f = tmp_path / "t.toml"
    f.write_bytes(b"\xef\xbb\xbfa = 1\r\n")
    assert read_text(f, "t.toml") == "a = 1\r\n"


# --- [[alerts]] --------------------------------------------------------------------------------


def test_alert_rules_are_read(kit, base) -> None:
    text = base + '\n[[alerts]]\nkind = "drop"\npoints = 2\nitems = ["holding"]\n'
    ins = parse_instrument(text, kit.FILE)
    assert [(r.kind, r.points, r.items) for r in ins.alerts] == [("drop", 2, ["holding"])]


def test_alert_key_problems_name_file_line_and_key(kit, base) -> None:
    text = base + ('\n[[alerts]]\nkind = "drop"\ncutoff = 1\n\n[[alerts]]\nkind = "sudden"\n')
    found = {(p.path, p.line): p.message for p in kit.problems_in(text)}
    line = kit.line_with
    assert found[("alerts[0].cutoff", line(text, "cutoff = 1"))] == (
        "cutoff is for kind low, not drop"
    )
    missing = {p: m for (p, _), m in found.items()}["alerts[0].points"]
    assert missing == "required key for kind drop is missing"
    assert found[("alerts[1].kind", line(text, "sudden"))] == (
        "expected 'drop', 'low', 'not_observed' or 'gap', found 'sudden'"
    )


def test_alert_references_are_checked_against_items_codes_and_scales(kit, base) -> None:
    text = base + (
        '\n[[alerts]]\nkind = "low"\ncutoff = 7\nsessions = 2\nitems = ["holding", "nope"]\n'
        '\n[[alerts]]\nkind = "not_observed"\nsessions = 2\ncodes = ["lost"]\n'
    )
    found = {(p.path, p.line): p.message for p in kit.problems_in(text)}
    line = kit.line_with
    nope = found[("alerts[0].items[1]", line(text, 'items = ["holding"'))]
    assert nope == "'nope' names no item (items: attunement, holding)"
    cutoff = found[("alerts[0].cutoff", line(text, "cutoff = 7"))]
    assert cutoff.startswith("7 is not inside 'holding''s scale (0 to 2")
    lost = found[("alerts[1].codes[0]", line(text, '"lost"'))]
    assert lost == "'lost' is not defined in [[missing_codes]] (defined: not_observed)"


def test_no_alerts_leave_the_content_hash_unchanged(kit, base) -> None:
    from rating_tui.instruments.hashing import canonical_json

    assert "alerts" not in canonical_json(parse_instrument(base, kit.FILE))
