"""A caseload's courses keep no Python object per rating, and give back the same observations."""

from __future__ import annotations

import gc
from datetime import date

from rating_tui.services.course import Course
from rating_tui.services.trajectory import Observation

KEYS = ("holding", "attunement")


def ratings(count: int) -> list[Observation]:
    """`count` ratings over 10 session dates and 2 raters, every date and rater a string of
    its own (as each parsed record gives), with values and missing codes."""
    out = []
    for n in range(count):
        day = "".join(date(2026, 1, 1 + n % 10).isoformat())
        rater = "".join(["r", str(n % 2)])
        answers: dict[str, float | str] = {"holding": n % 5}
        if n % 3:
            answers["attunement"] = "".join(["not_", "observed"])
        out.append(Observation(day, n % 7 or None, rater, answers))
    return out


def reachable(root: object) -> int:
    """How many distinct objects `root` holds, directly or not."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        todo += gc.get_referents(obj)
    return len(seen)


def test_a_course_holds_as_many_objects_for_300_ratings_as_for_30() -> None:
    small, large = Course.of(KEYS, ratings(30)), Course.of(KEYS, ratings(300))
    assert len(large) == 300
    assert reachable(large) == reachable(small)  # shared dates, raters and codes; arrays


def test_a_course_gives_back_the_observations_it_was_given() -> None:
    given = ratings(40)
    course = Course.of(KEYS, given)
    assert list(course.observations()) == given
    assert course.values.typecode == "b"  # small integers: a byte each
    assert list(course.observations([3, 1])) == [given[3], given[1]]


def test_a_value_that_is_not_a_small_integer_keeps_every_value_exactly() -> None:
    given = [
        Observation("2026-01-01", 1, "AB", {"holding": 2}),
        Observation("2026-01-08", 2, "AB", {"holding": 2.25, "attunement": 1000}),
        Observation("2026-01-15", 3, "AB", {"attunement": -3}),
    ]
    course = Course.of(KEYS, given)
    assert course.values.typecode == "d"
    assert list(course.observations()) == given


def test_sessions_group_the_ratings_by_date_and_number() -> None:
    given = [
        Observation("2026-01-08", 2, "AB", {}),
        Observation("2026-01-01", None, "AB", {}),
        Observation("2026-01-08", 2, "CD", {}),
    ]
    assert Course.of(KEYS, given).sessions() == {
        ("2026-01-08", 2): [0, 2],
        ("2026-01-01", -1): [1],
    }
