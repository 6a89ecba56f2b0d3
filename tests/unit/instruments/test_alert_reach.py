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
