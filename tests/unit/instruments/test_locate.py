"""key_lines / line_of: the line of a key path in TOML text, as a reader would find it."""

from __future__ import annotations

import tomllib

import pytest

from rating_tui.instruments.locate import key_lines, line_of

ITEMS = """\
id = "x"

[[items]]
key = "a"
scale = "s"

[[items]]
key = "b"
scale = { type = "text" }

[[items]]
key = "c"
scale = "s"

[items.anchors]
0 = "none"
"2" = "a lot"

[[items]]
key = "d"
"""


def test_text_used_here_is_valid_toml():
    data = tomllib.loads(ITEMS)
    assert [i["key"] for i in data["items"]] == ["a", "b", "c", "d"]
    assert data["items"][2]["anchors"] == {"0": "none", "2": "a lot"}


def test_arrays_of_tables_are_numbered_in_order():
    lines = key_lines(ITEMS)
    assert lines["id"] == 1
    assert lines["items"] == 3  # the array: its first entry
    assert lines["items[0]"] == 3
    assert lines["items[0].key"] == 4
    assert lines["items[0].scale"] == 5
    assert lines["items[1]"] == 7
    assert lines["items[1].key"] == 8
    assert lines["items[2]"] == 11
    assert lines["items[3]"] == 19
    assert lines["items[3].key"] == 20


def test_sub_table_after_the_third_entry_belongs_to_it():
    lines = key_lines(ITEMS)
    assert lines["items[2].anchors"] == 15
    assert lines["items[2].anchors.0"] == 16
    assert lines["items[2].anchors.2"] == 17  # quoted key, quotes dropped
    assert not any(k.startswith("items.anchors") for k in lines)
    assert "items[0].anchors" not in lines and "items[3].anchors" not in lines
    # the entry after the sub-table starts a new one, not a key of the sub-table
    assert "items[2].anchors.key" not in lines


def test_inline_table_keys_fall_back_to_the_key_holding_them():
    lines = key_lines(ITEMS)
    assert "items[1].scale.type" not in lines
    assert line_of("items[1].scale.type", lines) == 9
    assert line_of("items[1].scale", lines) == 9


def test_nested_arrays_of_tables_count_per_parent():
    text = """\
[[fields]]
key = "f0"

[[fields.choices]]
code = 1

[[fields.choices]]
code = 2

[[fields]]
key = "f1"

[[fields.choices]]
code = 9
"""
    data = tomllib.loads(text)
    assert [c["code"] for c in data["fields"][1]["choices"]] == [9]
    lines = key_lines(text)
    assert lines["fields[0].choices[0].code"] == 5
    assert lines["fields[0].choices[1].code"] == 8
    assert lines["fields[1].key"] == 11
    assert lines["fields[1].choices[0].code"] == 14


def test_array_of_tables_inside_a_named_table():
    text = (
        '[scales.presence]\ntype = "likert"\n\n'
        "[[scales.presence.points]]\nvalue = 0\n\n[[scales.presence.points]]\nvalue = 1\n"
    )
    lines = key_lines(text)
    assert lines["scales.presence"] == 1
    assert lines["scales.presence.type"] == 2
    assert lines["scales.presence.points[0].value"] == 5
    assert lines["scales.presence.points[1].value"] == 8
    assert lines["scales.presence.points"] == 4


def test_dotted_keys():
    text = """\
[[items]]
key = "a"
scale.type = "numeric"
scale . min = 0
scale."max" = 10
"""
    assert tomllib.loads(text)["items"][0]["scale"] == {"type": "numeric", "min": 0, "max": 10}
    lines = key_lines(text)
    assert lines["items[0].scale.type"] == 3
    assert lines["items[0].scale.min"] == 4
    assert lines["items[0].scale.max"] == 5
    assert line_of("items[0].scale.step", lines) in (1, 3)  # an ancestor, never a sibling


def test_dotted_keys_at_top_level_and_headers_with_spaces_and_comments():
    text = 'now_moments.enabled = true\n\n[ scales . "my scale" ]  # the slider\ntype = "numeric"\n'
    lines = key_lines(text)
    assert lines["now_moments.enabled"] == 1
    assert lines['scales."my scale"'] == 3  # keys that are not bare stay quoted in paths
    assert lines['scales."my scale".type'] == 4


@pytest.mark.parametrize("quote", ['"""', "'''"])
def test_multi_line_strings_do_not_look_like_keys(quote):
    text = f"""\
[[items]]
key = "a"
help = {quote}
Rate how often:
key = "not a key"
[items.anchors]
[[items]]
{quote}
label = "A"

[[items]]
key = "b"
"""
    data = tomllib.loads(text)
    assert [i["key"] for i in data["items"]] == ["a", "b"]
    lines = key_lines(text)
    assert lines["items[0].key"] == 2
    assert lines["items[0].help"] == 3
    assert lines["items[0].label"] == 9
    assert lines["items[1]"] == 11
    assert lines["items[1].key"] == 12
    assert "items[0].anchors" not in lines
    assert "items[2]" not in lines


def test_one_line_triple_quoted_strings_do_not_open_a_block():
    text = 'help = """one line"""\nlabel = \'\'\'also one\'\'\'\nkey = "k"\n'
    lines = key_lines(text)
    assert (lines["help"], lines["label"], lines["key"]) == (1, 2, 3)


def test_multi_line_string_with_text_on_its_opening_and_closing_lines():
    text = 'help = """Rate it\nx = 1\nhere"""\nkey = "k"\n'
    assert tomllib.loads(text)["key"] == "k"
    lines = key_lines(text)
    assert "x" not in lines
    assert lines["key"] == 4


def test_literal_block_containing_basic_triple_quotes():
    text = "help = '''\nHe wrote \"\"\" once\nx = 1\n'''\nkey = \"k\"\n"
    assert tomllib.loads(text)["key"] == "k"
    lines = key_lines(text)
    assert "x" not in lines
    assert lines["key"] == 5


def test_multi_line_arrays_of_inline_tables():
    text = (
        'points = [\n  { value = 0, label = "a" },\n  { value = 1, label = "b" },\n]\n'
        'type = "likert"\n'
    )
    lines = key_lines(text)
    assert lines == {"points": 1, "type": 5}


def test_the_first_spelling_wins():
    # tomllib would reject the repeat; the locator keeps the first line it saw
    lines = key_lines("a = 1\na = 2\n")
    assert lines["a"] == 1


def test_line_of_falls_back_to_the_nearest_ancestor():
    lines = key_lines(ITEMS)
    assert line_of("items[2].anchors.5", lines) == 15
    assert line_of("items[2].help", lines) == 11
    assert line_of("items[7].key", lines) == 3  # no such entry: the array itself
    assert line_of("items[0].missing_codes[3]", lines) == 3
    assert line_of("items[0].scale", lines) == 5


def test_line_of_without_any_ancestor():
    lines = key_lines(ITEMS)
    assert line_of("title", lines) is None
    assert line_of("fields[0].key", lines) is None
    assert line_of("", lines) is None
    assert line_of("items", {}) is None


def test_line_of_does_not_take_a_prefix_that_is_no_ancestor():
    lines = {"item": 1, "items": 2, "items[1]": 3}
    assert line_of("items[10].key", lines) == 2  # not items[1]
    assert line_of("itemsx.key", lines) is None  # not items


def test_crlf_text():
    text = ITEMS.replace("\n", "\r\n")
    assert key_lines(text) == key_lines(ITEMS)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_inside_a_string_are_not_line_breaks(separator):
    text = f'label = "one{separator}two"\nkey = "k"\n'
    assert tomllib.loads(text)["key"] == "k"
    assert key_lines(text)["key"] == 2


def test_triple_quotes_in_a_comment_do_not_open_a_string():
    text = '# write long help between """ quotes\nkey = "k"\n[[items]]\nlabel = "x"\n'
    assert tomllib.loads(text)["key"] == "k"
    lines = key_lines(text)
    assert lines["key"] == 2
    assert lines["items[0].label"] == 4
