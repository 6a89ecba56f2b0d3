"""An alert rule that can never fire is refused by `validate`: before, a drop rule of more
points than the scale spans (`points = 9` on 0-4) was "ok", and the alerts stayed silent."""

from __future__ import annotations

from rating_tui.instruments.loader import parse_instrument


def test_a_drop_beyond_the_scale_is_refused_with_its_line(kit) -> None:
    text = kit.MINIMAL_TOML + '\n[[alerts]]\nkind = "drop"\npoints = 9\nitems = ["holding"]\n'
    found = {(p.path, p.line): p.message for p in kit.problems_in(text)}
    message = found[("alerts[0].points", kit.line_with(text, "points = 9"))]
    assert message == (
        "a drop of 9 points cannot happen on 'holding''s scale (0 to 2, at most 2), so this "
        "rule would never raise an alert"
    )


def test_a_drop_of_the_whole_span_is_allowed(kit) -> None:
    text = kit.MINIMAL_TOML + '\n[[alerts]]\nkind = "drop"\npoints = 2\nitems = ["holding"]\n'
    (rule,) = parse_instrument(text, kit.FILE).alerts
    assert (rule.kind, rule.points) == ("drop", 2)


def test_a_rule_over_every_item_is_refused_only_when_no_item_can_fall_that_far(kit) -> None:
    """`attunement` (0-10) can fall 5 points where `holding` (0-2) cannot: a rule over every
    numeric item still watches something, and is taken."""
    rule = '\n[[alerts]]\nkind = "drop"\npoints = {}\n'
    (taken,) = parse_instrument(kit.MINIMAL_TOML + rule.format(5), kit.FILE).alerts
    assert taken.points == 5
    found = {p.path: p.message for p in kit.problems_in(kit.MINIMAL_TOML + rule.format(11))}
    assert found["alerts[0].points"] == (
        "a drop of 11 points cannot happen on 'attunement''s scale (0 to 10, at most 10), so "
        "this rule would never raise an alert on any item"
    )
