"""Alert rules on hand-made sequences: each kind fires where it should and nowhere else."""

from __future__ import annotations

from datetime import date

import pytest

from rating_tui.instruments.alerts import AlertRule
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.services.alerts import current, evaluate
from rating_tui.services.trajectory import Observation, Trajectory, build
from tests.unit.instruments.conftest import MINIMAL_TOML


@pytest.fixture(scope="module")
def mini() -> Instrument:
    return parse_instrument(MINIMAL_TOML, "mini.toml")


def course(ins: Instrument, *values: float | str | None, step: int = 7) -> Trajectory:
    """One rater, weekly sessions 1, 2, ...; each value is the `holding` item's (a string is
    a missing code, None unanswered)."""
    obs = []
    for n, v in enumerate(values):
        day = date.fromordinal(date(2026, 1, 5).toordinal() + n * step).isoformat()
        answers = {} if v is None else {"holding": v}
        obs.append(Observation(day, n + 1, "AB", answers))
    return build("D1", ins, obs)


def rule(**kw: object) -> AlertRule:
    return AlertRule.model_validate(kw)


def test_drop_fires_on_a_fall_of_n_points_since_the_previous_session(mini: Instrument) -> None:
    alerts = evaluate(course(mini, 2.0, 2.0, 0.0, 1.0), [rule(kind="drop", points=2)])
    assert [(a.item, a.sessions, a.values) for a in alerts] == [
        ("holding", ("#2", "#3"), (2.0, 0.0))
    ]
    assert "fell 2 point(s), 2 → 0" in alerts[0].message
    assert current(alerts) == []  # the latest session (#4) rose again


def test_drop_is_not_measured_across_a_missing_value(mini: Instrument) -> None:
    assert evaluate(course(mini, 2.0, "not_observed", 0.0), [rule(kind="drop", points=2)]) == []
    assert evaluate(course(mini, 2.0, 1.0), [rule(kind="drop", points=2)]) == []


def test_low_needs_m_values_in_a_row_at_or_below_the_cutoff(mini: Instrument) -> None:
    low = [rule(kind="low", cutoff=0, sessions=3)]
    assert evaluate(course(mini, 0.0, 0.0, "not_observed", 0.0, 0.0), low) == []
    alerts = evaluate(course(mini, 1.0, 0.0, 0.0, 0.0, 0.0), low)
    # fired when the run reached three, and again at the latest session while it lasts
    assert [a.sessions for a in alerts] == [("#2", "#3", "#4"), ("#2", "#3", "#4", "#5")]
    assert [a.latest for a in alerts] == [False, True]


def test_not_observed_counts_coded_sessions_in_a_row(mini: Instrument) -> None:
    rules = [rule(kind="not_observed", sessions=2)]
    alerts = evaluate(course(mini, 1.0, "not_observed", "not_observed"), rules)
    assert [(a.sessions, a.values, a.latest) for a in alerts] == [
        (("#2", "#3"), ("not_observed", "not_observed"), True)
    ]
    # unanswered is not "not observed"
    assert evaluate(course(mini, 1.0, None, "not_observed"), rules) == []


def test_gap_between_sessions_and_up_to_today(mini: Instrument) -> None:
    t = course(mini, 1.0, 1.0, step=30)  # 2026-01-05 and 2026-02-04
    gap = [rule(kind="gap", days=28)]
    between = evaluate(t, gap)
    assert [(a.sessions, a.values, a.latest) for a in between] == [(("#1", "#2"), (30,), False)]
    now = evaluate(t, gap, today=date(2026, 3, 10))
    assert [(a.date, a.values, a.latest) for a in now][-1] == ("2026-03-10", (34,), True)
    assert evaluate(t, gap, today=date(2026, 2, 10))[-1].latest is False


def test_a_steady_course_raises_nothing(mini: Instrument) -> None:
    rules = [
        rule(kind="drop", points=1),
        rule(kind="low", cutoff=0, sessions=2),
        rule(kind="not_observed", sessions=2),
        rule(kind="gap", days=10),
    ]
    assert evaluate(course(mini, 2.0, 2.0, 2.0, 2.0), rules, today=date(2026, 1, 30)) == []


def test_several_raters_are_averaged_before_comparing(mini: Instrument) -> None:
    obs = [
        Observation("2026-01-05", 1, "AB", {"holding": 2.0}),
        Observation("2026-01-12", 2, "AB", {"holding": 0.0}),
        Observation("2026-01-12", 2, "CD", {"holding": 1.0}),
    ]
    t = build("D1", mini, obs)
    assert t.several_raters and t.lines[0].values == [2.0, 0.5]
    alerts = evaluate(t, [rule(kind="drop", points=1.5)])
    assert alerts[0].values == (2.0, 0.5)


def test_the_json_form_names_dyad_item_kind_sessions_values_message(mini: Instrument) -> None:
    (alert,) = evaluate(course(mini, 2.0, 0.0), [rule(kind="drop", points=2, message="Look")])
    assert alert.to_json("mini@1.0.0") == {
        "dyad": "D1",
        "instrument": "mini@1.0.0",
        "item": "holding",
        "kind": "drop",
        "date": "2026-01-12",
        "sessions": ["#1", "#2"],
        "values": [2.0, 0.0],
        "message": "Look: Holding: fell 2 point(s), 2 → 0",
    }


@pytest.mark.parametrize(
    "values",
    [
        (2.0, 2.0, 0.0),
        (1.0, 0.0, 0.0, 0.0, 0.0),
        (1.0, "not_observed", "not_observed"),
        (3.0, None, 1.0, 0.0),
        (0.0,),
    ],
)
def test_latest_only_gives_exactly_the_current_alerts(
    mini: Instrument, values: tuple[float | str | None, ...]
) -> None:
    rules = [
        rule(kind="drop", points=1),
        rule(kind="low", cutoff=0, sessions=2),
        rule(kind="not_observed", sessions=2),
        rule(kind="gap", days=5),
    ]
    t = course(mini, *values)
    today = date(2026, 6, 1)
    fast = evaluate(t, rules, today=today, latest_only=True)
    assert fast == current(evaluate(t, rules, today=today))
    assert fast  # every sequence here has at least the gap up to today


def test_judging_from_the_latest_sessions_alone_gives_the_same_current_alerts(
    mini: Instrument,
) -> None:
    from rating_tui.services.caseload import judge
    from rating_tui.services.course import Course
    from rating_tui.services.trajectory import Caseload, numeric_items

    rules = '\n[[alerts]]\nkind = "low"\ncutoff = 0\nsessions = 2\n'
    rules += '\n[[alerts]]\nkind = "drop"\npoints = 1\n'
    ins = parse_instrument(MINIMAL_TOML + rules, "mini.toml")
    runs = {
        "long": (2.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # a run longer than the tail: rebuilt whole
        "exact": (2.0, 2.0, 2.0, 0.0, 0.0),
        "drop": (0.0, 0.0, 0.0, 2.0, 1.0),
    }
    keys = numeric_items(ins)
    caseload = Caseload(
        dyads={("mini", d): Course.of(keys, course(ins, *v).observations) for d, v in runs.items()}
    )
    full = judge(caseload, [ins], today=None)
    fast = judge(caseload, [ins], today=None, full=False)
    assert [d.alerts for d in fast.dyads] == [d.alerts for d in full.dyads]
    long = next(d for d in fast.dyads if d.trajectory.dyad == "long")
    assert long.alerts[0].sessions == ("#2", "#3", "#4", "#5", "#6")


def test_dyads_judged_for_current_alerts_keep_their_latest_session_alone(
    mini: Instrument,
) -> None:
    from rating_tui.services.caseload import judge
    from rating_tui.services.course import Course
    from rating_tui.services.trajectory import Caseload, numeric_items

    obs = course(mini, 2.0, 1.0, 0.0, 2.0, 3.0).observations
    caseload = Caseload(dyads={("mini", "D1"): Course.of(numeric_items(mini), obs)})
    (full,) = judge(caseload, [mini], today=None).dyads
    (fast,) = judge(caseload, [mini], today=None, full=False).dyads
    assert len(full.trajectory.sessions) == 5
    assert full.trajectory.observations == []  # the caseload read keeps no moments or notes
    assert fast.trajectory.sessions == full.trajectory.sessions[-1:]
    assert (fast.trajectory.lines, fast.last_date) == ([], "2026-02-02")


def test_alerts_since_a_date_are_the_same_whether_the_course_is_kept_or_not(
    mini: Instrument,
) -> None:
    from rating_tui.services.caseload import judge
    from rating_tui.services.course import Course
    from rating_tui.services.trajectory import Caseload, numeric_items

    ins = parse_instrument(MINIMAL_TOML + '\n[[alerts]]\nkind = "drop"\npoints = 1\n', "m.toml")
    obs = course(ins, 2.0, 1.0, 0.0, 2.0, 1.0).observations
    caseload = Caseload(dyads={("mini", "D1"): Course.of(numeric_items(ins), obs)})
    (kept,) = judge(caseload, [ins], today=None, since=date(2026, 1, 1)).dyads
    (lean,) = judge(caseload, [ins], today=None, since=date(2026, 1, 1), full=False).dyads
    assert len(kept.alerts) == 3
    assert lean.alerts == kept.alerts
    assert (len(kept.trajectory.sessions), len(lean.trajectory.sessions)) == (5, 1)
