"""Instrument rules `validate` once passed as "ok" though the app could not do what they say:
a code field whose max_length no code of its pattern fits in (no dyad could be rated), a
multiple-choice default naming a choice twice, a text default its own field refuses, and a
drop of 2.5 points on a scale of whole numbers (a rater's drop of 2.5 is one of 3)."""

from __future__ import annotations

from rating_tui.instruments.loader import parse_instrument

DYAD = 'key = "dyad"\nlabel = "Dyad code"\ntype = "text"\nrole = "dyad"\n'


def with_dyad(kit, extra: str) -> str:
    return kit.replace_once(kit.MINIMAL_TOML, DYAD, DYAD + extra)


def test_a_max_length_shorter_than_every_code_of_the_pattern_is_refused(kit) -> None:
    text = with_dyad(kit, 'pattern = "^[A-Z]{2}[0-9]{2,4}$"\nmax_length = 3\n')
    p = kit.problem_at(kit.problems_in(text), "fields[0].max_length")
    assert p.line == kit.line_with(text, "max_length = 3")
    assert p.message == (
        "3 is shorter than any answer the pattern accepts (each has at least 4 characters), "
        "so no answer could be given; make max_length at least 4"
    )


def test_a_max_length_that_fits_the_shortest_code_is_taken(kit) -> None:
    text = with_dyad(kit, 'pattern = "^[A-Z]{2}[0-9]{2,4}$"\nmax_length = 4\n')
    assert parse_instrument(text, kit.FILE).fields[0].max_length == 4


def test_a_text_default_its_field_refuses_is_refused(kit) -> None:
    text = with_dyad(kit, 'pattern = "^[A-Z]{2}[0-9]{4}$"\ndefault = "Anna"\n')
    p = kit.problem_at(kit.problems_in(text), "fields[0].default")
    assert "pattern accepts" in p.message and "'Anna'" in p.message
    long = with_dyad(kit, 'max_length = 3\ndefault = "ABCD"\n')
    p = kit.problem_at(kit.problems_in(long), "fields[0].default")
    assert "at most 3 characters" in p.message


def test_a_choice_named_twice_in_a_default_is_refused(kit) -> None:
    field = (
        '\n[[fields]]\nkey = "present"\nlabel = "Present"\ntype = "multiple_choice"\n'
        'choices = [{ code = "mother", label = "Mother" }, { code = "infant", label = "Infant" }]\n'
        'default = ["mother", "infant", "mother"]\n'
    )
    text = kit.replace_once(kit.MINIMAL_TOML, "\n[scales.presence]", field + "\n[scales.presence]")
    p = kit.problem_at(kit.problems_in(text), "fields[3].default")
    assert p.message.startswith("lists mother more than once; name each choice once")
    taken = text.replace('"infant", "mother"]', '"infant"]')
    assert parse_instrument(taken, kit.FILE).fields[3].default == ["mother", "infant"]


def test_a_drop_of_part_of_a_point_on_whole_points_is_refused(kit) -> None:
    text = kit.MINIMAL_TOML + '\n[[alerts]]\nkind = "drop"\npoints = 1.5\nitems = ["holding"]\n'
    p = kit.problem_at(kit.problems_in(text), "alerts[0].points")
    assert p.line == kit.line_with(text, "points = 1.5")
    assert p.message == (
        "1.5 is not a whole number, but 'holding''s scale takes whole numbers only: a rater's "
        "drop of 1.5 or more is one of 2 or more; write points = 2 (or 1), or give the scale "
        "a finer step"
    )


def test_a_drop_of_part_of_a_point_on_a_finer_scale_is_taken(kit) -> None:
    finer = kit.replace_once(
        kit.MINIMAL_TOML, "min = 0, max = 10 }", "min = 0, max = 10, step = 0.5 }"
    )
    text = finer + '\n[[alerts]]\nkind = "drop"\npoints = 2.5\nitems = ["attunement"]\n'
    (rule,) = parse_instrument(text, kit.FILE).alerts
    assert rule.points == 2.5


def test_a_kept_copy_written_before_these_rules_still_reads_its_ratings(kit, tmp_path) -> None:
    """A copy kept in a data folder was written by an app that took these faults; refusing it
    now would lock its ratings out (read as a damaged copy), so the folder's reader takes it
    (`model.KEPT`) while the instrument file itself is still refused, in words."""
    import json

    import pytest
    from pydantic import ValidationError

    from rating_tui.instruments.hashing import content_hash
    from rating_tui.instruments.model import KEPT, Instrument
    from rating_tui.store import Store

    data = parse_instrument(kit.MINIMAL_TOML, kit.FILE).model_dump(mode="json")
    field = next(f for f in data["fields"] if f["type"] == "text")
    field |= {"pattern": "^[A-Z]{2}[0-9]{4}$", "max_length": 3, "default": "Anna"}
    with pytest.raises(ValidationError) as refused:
        Instrument.model_validate(data)
    assert "max_length" in str(refused.value) and "pattern accepts" in str(refused.value)
    kept = Instrument.model_validate(data, context=KEPT)
    folder = tmp_path / "data"
    store = Store.open(folder)
    copy = folder / "instrument-files" / f"{content_hash(kept)}.json"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(json.dumps(data))
    assert [content_hash(i) for i in store.stored_instruments()] == [content_hash(kept)]
    assert store.kept_instrument(content_hash(kept)) == kept
