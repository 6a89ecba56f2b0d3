"""The demo data generator: deterministic, realistic in the ways the app and the statistics
rely on (several raters per session who agree more than sessions do, dyads that improve),
valid against the instrument, and stored in bulk."""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from statistics import fmean

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import STATUSES, Answered, Missing, Rating, validate_rating
from rating_tui.services.demo import DemoMaker, builtin_instrument, fill_demo_data, has_ratings
from rating_tui.store import Store


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return builtin_instrument()


@pytest.fixture(scope="module")
def ratings(instrument: Instrument) -> list[Rating]:
    return list(DemoMaker(instrument, 1500, seed=11).ratings())


def _values(rating: Rating) -> dict[str, float]:
    return {
        k: float(a.value)
        for k, a in rating.answers.items()
        if isinstance(a, Answered) and isinstance(a.value, int)
    }


def _session(rating: Rating) -> tuple[object, object]:
    return rating.session["dyad"], rating.session["session_number"]


def test_same_seed_and_count_give_identical_ratings(instrument: Instrument) -> None:
    first = [r.model_dump_json() for r in DemoMaker(instrument, 300, seed=4).ratings()]
    again = [r.model_dump_json() for r in DemoMaker(instrument, 300, seed=4).ratings()]
    other = [r.model_dump_json() for r in DemoMaker(instrument, 300, seed=5).ratings()]
    assert first == again
    assert len(first) == 300 and first != other
    more = {r.id for r in DemoMaker(instrument, 301, seed=4).ratings()}
    assert not more & {r.id for r in DemoMaker(instrument, 300, seed=4).ratings()}


def test_an_end_date_moves_the_same_data_so_its_last_session_is_on_that_day(
    instrument: Instrument,
) -> None:
    from datetime import date, timedelta

    plain = list(DemoMaker(instrument, 300, seed=4).ratings())
    end = date(2026, 5, 20)
    moved = list(DemoMaker(instrument, 300, seed=4, end=end).ratings())
    assert moved[-1].session["session_date"] == end.isoformat()
    assert max(r.session["session_date"] for r in moved) == end.isoformat()
    shift = end - date.fromisoformat(str(plain[-1].session["session_date"]))
    for before, after in zip(plain, moved, strict=True):
        day = date.fromisoformat(str(before.session["session_date"])) + shift
        assert after.session["session_date"] == day.isoformat()
        # the same ratings otherwise: values, infant ages, ids
        assert after.answers == before.answers and after.id == before.id
        assert after.session.get("infant_age_months") == before.session.get("infant_age_months")
        assert after.created - before.created == timedelta(days=shift.days)
    assert [r.model_dump_json() for r in DemoMaker(instrument, 300, seed=4, end=end).ratings()] == [
        r.model_dump_json() for r in moved
    ]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 37])
def test_exactly_count_ratings_and_a_few_of_each_kind_from_four_on(
    instrument: Instrument, count: int
) -> None:
    made = list(DemoMaker(instrument, count, seed=1).ratings())
    assert len(made) == count
    statuses = {r.status for r in made}
    edited = [r for r in made if any(v.action == "update" for v in r.revisions)]
    if count >= 4:
        assert {"draft", "final", "voided"} <= statuses and edited


def test_every_rating_and_every_earlier_version_is_valid(
    ratings: list[Rating], instrument: Instrument
) -> None:
    for rating in ratings:
        assert validate_rating(rating, instrument) == [], rating.id
        for revision in rating.revisions:
            assert revision.previous.status == "final"
            assert validate_rating(revision.previous, instrument) == []


def test_codes_follow_the_instrument_patterns(
    ratings: list[Rating], instrument: Instrument
) -> None:
    patterns = {f.role: f.pattern for f in instrument.fields if f.role and f.pattern}
    for rating in ratings:
        assert re.fullmatch(patterns["dyad"], str(rating.session["dyad"]))
        assert re.fullmatch(patterns["rater"], rating.rater)
        assert rating.session["rater"] == rating.rater


def test_composition_matches_what_the_app_and_statistics_need(ratings: list[Rating]) -> None:
    by_session: dict[tuple[object, object], set[str]] = defaultdict(set)
    for rating in ratings:
        by_session[_session(rating)].add(rating.rater)
    assert sum(len(raters) >= 2 for raters in by_session.values()) > 0.1 * len(by_session)
    assert any(len(raters) >= 3 for raters in by_session.values())
    assert len({r.rater for r in ratings}) >= 4
    assert len({r.session["dyad"] for r in ratings}) >= 10
    missing = [a.missing for r in ratings for a in r.answers.values() if isinstance(a, Missing)]
    assert {"not_observed", "not_applicable"} <= set(missing)
    for rating in ratings:
        present = rating.session["present"]
        assert isinstance(present, list) and "mother" in present
        if "infant" not in present and rating.status != "draft":  # coded, not guessed
            assert rating.answers["modeling"] == Missing(missing="not_applicable")
    tags = [t for r in ratings for m in r.now_moments for t in m.tags]
    assert len(tags) > 100 and len(set(tags)) >= 5
    assert any(r.notes for r in ratings)
    drafts = [r for r in ratings if r.status == "draft"]
    assert drafts and all(len(r.answers) < 7 for r in drafts)
    voided = [r for r in ratings if r.status == "voided"]
    assert voided and all(r.void_reason for r in voided)
    dates = sorted(str(r.session["session_date"]) for r in ratings)
    assert dates[0][:7] != dates[-1][:7] and dates == [
        str(r.session["session_date"]) for r in ratings
    ]  # several months, made in date order (batches touch few month files)


def test_edits_are_recorded_as_the_store_records_them(ratings: list[Rating]) -> None:
    edited = [r for r in ratings if r.revisions and r.status == "final"]
    assert len(edited) >= 10
    for rating in edited:
        history = rating.history()
        assert [h.number for h in history] == list(range(1, len(rating.revisions) + 2))
        times = [rating.created] + [v.at for v in rating.revisions]
        assert times == sorted(times) and rating.updated == times[-1]
        for before, after in pairwise(history):
            changed = [
                k for k in after.content.answers
                if after.content.answers[k] != before.content.answers.get(k)
            ]  # fmt: skip
            assert len(changed) == 1 and after.reason


def test_raters_of_one_session_agree_more_than_sessions_of_one_dyad(
    ratings: list[Rating],
) -> None:
    finals = [r for r in ratings if r.status == "final"]
    by_session: dict[tuple[object, object], list[dict[str, float]]] = defaultdict(list)
    for rating in finals:
        by_session[_session(rating)].append(_values(rating))
    same = [_gap(a, b) for rs in by_session.values() if len(rs) >= 2 for a, b in [rs[:2]]]
    by_dyad: dict[object, list[dict[str, float]]] = defaultdict(list)
    for (dyad, _), rs in sorted(by_session.items(), key=lambda kv: str(kv[0])):
        by_dyad[dyad].append(rs[0])
    across = [_gap(rs[i], rs[i + 5]) for rs in by_dyad.values() for i in range(len(rs) - 5)]
    assert len(same) > 50 and fmean(same) < 0.8 * fmean(across)


def _gap(a: dict[str, float], b: dict[str, float]) -> float:
    keys = a.keys() & b.keys()
    return fmean(abs(a[k] - b[k]) for k in keys) if keys else 0.0


def test_dyads_improve_over_therapy(ratings: list[Rating]) -> None:
    early: list[float] = []
    late: list[float] = []
    for rating in ratings:
        number = rating.session["session_number"]
        assert isinstance(number, int)
        values = _values(rating)
        for key in ("future", "reflective"):
            if key in values:
                (early if number <= 4 else late if number >= 16 else []).append(values[key])
    assert fmean(late) > fmean(early) + 0.5


def test_fill_stores_everything_in_bulk_and_a_second_fill_adds_nothing(
    tmp_path: Path, instrument: Instrument
) -> None:
    store = Store.open(tmp_path / "data")
    assert not has_ratings(store)
    seen: list[int] = []
    summary = fill_demo_data(store, instrument, 400, seed=2, progress=seen.append)
    stored = list(store.iter_all(statuses=STATUSES))
    assert len(stored) == summary.ratings == summary.added == 400 and seen == [400]
    assert summary.drafts == sum(r.status == "draft" for r in stored) > 0
    assert summary.voided == sum(r.status == "voided" for r in stored) > 0
    assert summary.dyads == {r.session["dyad"] for r in stored}
    assert {r.id: r for r in stored} == {r.id: r for r in DemoMaker(instrument, 400, 2).ratings()}
    assert has_ratings(store) and store.check() == []
    again = fill_demo_data(store, instrument, 400, seed=2)
    assert (again.added, again.already_present) == (0, 400)


def test_the_plan_is_kept_out_of_the_collectors_walks_while_storing_then_released(
    tmp_path: Path, instrument: Instrument
) -> None:
    store = Store.open(tmp_path / "data")
    frozen: list[int] = []
    fill_demo_data(
        store, instrument, 300, seed=3, progress=lambda _: frozen.append(gc.get_freeze_count())
    )
    assert len(frozen) == 1 and frozen[0] > 0
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError):  # a failing batch unfreezes too
        fill_demo_data(store, instrument, 300, seed=4, progress=_failing)
    assert gc.get_freeze_count() == 0


def _failing(_: int) -> None:
    raise RuntimeError("stop")


def test_refuses_impossible_counts_and_unsuitable_instruments(instrument: Instrument) -> None:
    with pytest.raises(ValueError, match="from 0 to"):
        DemoMaker(instrument, 2_000_000, seed=0)
    strict = instrument.model_copy(
        update={
            "fields": [
                f.model_copy(update={"pattern": "^X[0-9]+$"}) if f.role == "dyad" else f
                for f in instrument.fields
            ]
        }
    )
    with pytest.raises(ValueError, match="do not fit"):
        DemoMaker(strict, 10, seed=0)


def test_edits_and_voids_match_what_store_update_and_void_record(
    tmp_path: Path, ratings: list[Rating], instrument: Instrument
) -> None:
    """Replaying a demo rating's history through the real Store API gives the same versions,
    reasons and authors (only the clock times differ, which the demo fixes for stability)."""
    store = Store.open(tmp_path / "data")
    edited = next(r for r in ratings if r.status == "final" and len(r.revisions) == 2)
    voided = next(r for r in ratings if r.status == "voided")
    for demo_rating in (edited, voided):
        first = demo_rating.revisions[0].previous
        replayed = store.finalise(demo_rating.with_content(first, revisions=[]), instrument)
        for revision, after in zip(
            demo_rating.revisions,
            [v.previous for v in demo_rating.revisions[1:]] + [demo_rating.content()],
            strict=True,
        ):
            if revision.action == "void":
                replayed = store.void(replayed.id, by=revision.by, reason=revision.reason)
            else:
                changed = replayed.with_content(after)
                replayed = store.update(changed, instrument, by=revision.by, reason=revision.reason)
        assert replayed.content() == demo_rating.content()
        assert [(v.action, v.by, v.reason, v.previous) for v in replayed.revisions] == [
            (v.action, v.by, v.reason, v.previous) for v in demo_rating.revisions
        ]
