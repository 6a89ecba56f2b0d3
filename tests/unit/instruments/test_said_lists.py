"""Lists of an instrument that name one thing twice are refused in words: an item's
missing_codes naming a code twice (two keys offered for one code) and now_moments.tags
naming an item twice (the tag offered twice) validated as "ok". A copy kept in a data
folder is still read, so the ratings made with it stay readable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import KEPT, Instrument


def test_a_missing_code_named_twice_by_an_item_is_refused(kit) -> None:
    text = kit.replace_once(
        kit.MINIMAL_TOML,
        'missing_codes = ["not_observed"]',
        'missing_codes = ["not_observed", "not_observed"]',
    )
    p = kit.problem_at(kit.problems_in(text), "items[0].missing_codes[1]")
    assert p.message == "'not_observed' is listed more than once; name each code once"


def test_an_item_named_twice_among_the_now_moment_tags_is_refused(kit) -> None:
    text = kit.MINIMAL_TOML + '\n[now_moments]\ntags = ["holding", "attunement", "holding"]\n'
    p = kit.problem_at(kit.problems_in(text), "now_moments.tags[2]")
    assert p.message == "'holding' is listed more than once; name each item once"
    taken = text.replace(', "holding"]', "]")
    assert parse_instrument(taken, kit.FILE).moment_tags == ["holding", "attunement"]


def test_a_kept_copy_naming_one_twice_is_still_read(kit) -> None:
    data = parse_instrument(kit.MINIMAL_TOML, kit.FILE).model_dump(mode="json")
    data["items"][0]["missing_codes"] = ["not_observed", "not_observed"]
    data["now_moments"]["tags"] = ["holding", "holding"]
    with pytest.raises(ValidationError) as refused:
        Instrument.model_validate(data)
    assert "listed more than once" in str(refused.value)
    kept = Instrument.model_validate(data, context=KEPT)
    assert kept.items[0].missing_codes == ["not_observed", "not_observed"]


def test_an_item_or_code_named_twice_by_an_alert_is_refused(kit) -> None:
    text = kit.MINIMAL_TOML + (
        '\n[[alerts]]\nkind = "drop"\npoints = 1\nitems = ["holding", "holding"]\n'
        '\n[[alerts]]\nkind = "not_observed"\nsessions = 2\n'
        'codes = ["not_observed", "not_observed"]\n'
    )
    problems = kit.problems_in(text)
    p = kit.problem_at(problems, "alerts[0].items[1]")
    assert p.message == "'holding' is listed more than once; name each item once"
    p = kit.problem_at(problems, "alerts[1].codes[1]")
    assert p.message == "'not_observed' is listed more than once; name each code once"
