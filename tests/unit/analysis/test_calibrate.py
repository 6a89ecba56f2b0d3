"""Calibration against a gold rater, checked against figures worked out by hand."""

from __future__ import annotations

import pytest

from rating_tui.analysis.calibration import CalibrationError, calibrate
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating
from tests.unit.analysis.conftest import RatingMaker, table_of

# Session:           1  2  3  4  5
GOLD_WARMTH = [5, 6, 7, 8, 2]
TRAINEE_WARMTH = [7, 6, 9, 7, 2]  # differences +2, 0, +2, -1, 0
GOLD_PRESENCE = [0, 1, 2, 4, "NO"]
TRAINEE_PRESENCE = [1, 1, 4, 2, 4]  # in scale points (0,1,2,4 -> 0..3): +1, 0, +1, -1, (none)


def ratings(make: RatingMaker) -> list[Rating]:
    made = []
    for n in range(5):
        made.append(make("RP", {"warmth": GOLD_WARMTH[n], "presence": GOLD_PRESENCE[n]}, number=n))
        trainee = {"warmth": TRAINEE_WARMTH[n], "presence": TRAINEE_PRESENCE[n]}
        made.append(make("AB", trainee, number=n))
    made.append(make("CD", {"warmth": 6}, number=1))  # agrees exactly on session 2 only
    made.append(make("EF", {"warmth": 5}, number=99))  # never with the gold rater
    return made


def test_figures_by_hand(make_rating: RatingMaker, instrument: Instrument) -> None:
    results = calibrate(table_of(ratings(make_rating), instrument), "RP")
    assert [r.rater for r in results] == ["AB", "CD", "EF"]
    ab = results[0]
    assert (ab.gold, ab.sessions) == ("RP", 5)
    warmth, presence, held = ab.items
    assert warmth.sessions == 5
    assert warmth.bias == pytest.approx(3 / 5)  # (2 + 0 + 2 - 1 + 0) / 5
    assert warmth.mad == pytest.approx(5 / 5)
    assert warmth.exact == pytest.approx(2 / 5)
    assert warmth.within_one == pytest.approx(3 / 5)
    # Presence: session 5 is not observed by the gold rater, so 4 sessions; bias in values
    # (+1, 0, +2, -2), "within one" in scale points (+1, 0, +1, -1 between points 0, 1, 2, 4).
    assert presence.sessions == 4
    assert presence.bias == pytest.approx(1 / 4)
    assert presence.mad == pytest.approx(5 / 4)
    assert presence.exact == pytest.approx(1 / 4)
    assert presence.within_one == pytest.approx(4 / 4)
    assert held.sessions == 0 and held.bias is None
    # Divergent: mean absolute difference >= 1/8 of the range (10 -> 1.25; 4 -> 0.5).
    assert not warmth.divergent and presence.divergent
    assert ab.most_divergent == [presence]
    assert ab.note(presence) == "diverges most (both ways)"
    assert presence.direction("RP") == "differs from RP both ways"
    assert ab.note(warmth) == "close"
    assert ab.note(held) == "no shared sessions"


def test_direction_in_words(make_rating: RatingMaker, instrument: Instrument) -> None:
    made = []
    for n in range(4):
        made.append(make_rating("RP", {"warmth": 2, "presence": 2}, number=n))
        made.append(make_rating("AB", {"warmth": 6, "presence": 0 if n else 4}, number=n))
    ab = calibrate(table_of(made, instrument), "RP")[0]
    assert ab.items[0].direction("RP") == "rates higher than RP"
    assert ab.items[1].direction() == "lower"  # -2, -2, -2, +2: mostly lower
    # Ranked by the difference relative to the range: presence 2 of 4, warmth 4 of 10.
    assert [i.item.key for i in ab.most_divergent] == ["presence", "warmth"]


def test_no_shared_session_and_chosen_raters(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    table = table_of(ratings(make_rating), instrument)
    ef = calibrate(table, "RP", ["EF"])
    assert [r.rater for r in ef] == ["EF"]
    assert ef[0].sessions == 0 and ef[0].most_divergent == []
    cd = calibrate(table, "RP", ["CD"])[0]
    assert (cd.sessions, cd.items[0].exact, cd.items[0].bias) == (1, 1.0, 0.0)


def test_an_unknown_gold_rater_is_an_error(
    make_rating: RatingMaker, instrument: Instrument
) -> None:
    table = table_of(ratings(make_rating), instrument)
    with pytest.raises(CalibrationError, match="gold rater 'ZZ'; raters: AB, CD, EF, RP"):
        calibrate(table, "ZZ")
