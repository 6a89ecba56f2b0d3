"""DraftSession with branching: a session field not asked is not required and its value is
not kept; answers to items an answer hides are removed and named; step_from skips them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rating_tui.instruments.loader import parse_instrument
from rating_tui.ratings import Answered
from rating_tui.services.draft_session import DraftSession
from rating_tui.store.api import Store

STUDY = Path(__file__).resolve().parents[2] / "data" / "branching_study.toml"


def _study():
    text = STUDY.read_text(encoding="utf-8").replace(
        "[scales.presence]",
        '[[fields]]\nkey = "infant_age"\nlabel = "Infant age (months)"\ntype = "integer"\n'
        'show_if = { field = "present", includes = "infant" }\n\n[scales.presence]',
    )
    return parse_instrument(text, "study.toml")


def test_a_session_field_not_asked_is_not_required_nor_kept(tmp_path: Path) -> None:
    ins = _study()
    session = DraftSession.start(Store.open(tmp_path / "d"), ins, "RP", date(2026, 1, 2))
    base = {"dyad": "D1", "session_date": "2026-01-02", "rater": "RP"}
    assert [p.path for p in session.set_session(base | {"present": ["infant"]})] == ["infant_age"]
    problems = session.set_session(base | {"present": ["mother"], "infant_age": 4})
    assert problems == []
    assert "infant_age" not in session.rating.session
    assert session.dropped == ["infant_age"]


def test_answers_hidden_by_a_change_are_removed_and_the_flow_skips_them(tmp_path: Path) -> None:
    ins = _study()
    session = DraftSession.start(Store.open(tmp_path / "d"), ins, "RP", date(2026, 1, 2))
    session.set_session(
        {"dyad": "D1", "session_date": "2026-01-02", "rater": "RP", "present": ["infant"],
         "infant_age": 3}
    )  # fmt: skip
    items = {i.key: i for i in ins.items}
    assert session.answer(items["infant_awake"], Answered(value=1)) == []
    assert session.answer(items["modeling"], Answered(value=2)) == []
    assert session.step_from(0, 1) == 1
    assert session.answer(items["infant_awake"], Answered(value=0)) == ["modeling"]
    assert "modeling" not in session.rating.answers
    assert session.step_from(0, 1) == 2  # modeling skipped
    assert session.step_from(2, -1) == 0
    assert not session.asked(items["modeling"])
    stored = Store.open(tmp_path / "d").get(session.rating.id)
    assert "modeling" not in stored.answers  # saved as it is on screen


def test_the_dyad_view_draws_scores_after_the_items(tmp_path: Path) -> None:
    from rating_tui.ratings import Rating
    from rating_tui.services.trajectory import dyad_trajectory

    ins = parse_instrument(STUDY.read_text(encoding="utf-8"), "study.toml")
    store = Store.open(tmp_path / "d")
    ratings = []
    for day, (narration, affective) in (("2026-01-02", (2, 2)), ("2026-01-09", (1, 0))):
        r = Rating.new(ins, "RP")
        ratings.append(
            r.replace(
                status="final",
                session=r.session | {"dyad": "D1", "session_date": day, "present": ["mother"]},
                answers={"narration": Answered(value=narration),
                         "affective": Answered(value=affective)},
            )
        )  # fmt: skip
    store.import_ratings(ratings, {ins.ref: ins})
    lines = {line.key: line.values for line in dyad_trajectory(store, ins, "D1").lines}
    assert lines["process_mean"] == [2.0, 0.5]
    assert lines["process_sum"] == [None, None]  # modeling is not asked: too few values
