"""Who is seen when, in the demo data: dyads enrolled over up to two years, each followed weekly
(a week missed now and then), some sessions rated by a second or third rater from the video.

`demo.py` turns this plan into ratings. Every date derives from `EPOCH`, or from an `end` date
when one is given, and all randomness from the caller's generator, so a seed fixes the plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

EPOCH = date(2023, 1, 9)
"""The first day a demo dyad may start: fixed, so the data does not depend on the clock."""
SITES = ("PS", "EC", "HB", "MW", "NR", "TL")


@dataclass(frozen=True)
class Dyad:
    code: str
    start: date
    clinician: str
    level: float
    gain: float
    start_age: float
    partner: float
    setting: str


@dataclass(frozen=True)
class Session:
    day: date
    dyad: Dyad
    number: int
    progress: float
    """How far through the dyad's course of therapy, from 0 to just under 1."""
    raters: tuple[str, ...]


def plan_sessions(
    rng: random.Random, raters: list[str], count: int, end: date | None = None
) -> list[Session]:
    """Sessions in date order, with at least `count` ratings among them; with `end`, moved
    so that the session of the `count`-th rating falls on that day."""
    sessions, planned, dyads = list[Session](), 0, 0
    span = min(730, 7 * (count // 30 + 1))  # enrolment spread over up to two years
    while planned < count:
        dyad, dyads = _dyad(rng, raters, dyads, span), dyads + 1
        day, total = dyad.start, rng.randint(12, 36)
        for number in range(1, total + 1):
            chosen, roll = [dyad.clinician], rng.random()
            if roll < 0.25:  # also rated from the video: one more rater, sometimes two
                others = [r for r in raters if r != dyad.clinician]
                chosen += rng.sample(others, 1 if roll > 0.05 else 2)
            sessions.append(Session(day, dyad, number, (number - 1) / total, tuple(chosen)))
            planned += len(chosen)
            day += timedelta(days=(14 if rng.random() < 0.1 else 7) + rng.randint(-1, 1))
    sessions.sort(key=lambda s: (s.day, s.dyad.code, s.number))
    return sessions if end is None else _ending(sessions, count, end)


def _ending(sessions: list[Session], count: int, end: date) -> list[Session]:
    """The plan moved in time so that the last session rated (not just planned) is on `end`."""
    made, last = 0, sessions[-1].day if sessions else end
    for s in sessions:
        made += len(s.raters)
        if made >= count:
            last = s.day
            break
    shift = end - last
    moved = {d: replace(d, start=d.start + shift) for d in {s.dyad for s in sessions}}
    return [replace(s, day=s.day + shift, dyad=moved[s.dyad]) for s in sessions]


def _dyad(rng: random.Random, raters: list[str], index: int, span: int) -> Dyad:
    return Dyad(
        code=f"{SITES[index % len(SITES)]}{index // len(SITES) + 1:04d}",
        start=EPOCH + timedelta(days=rng.randint(0, span)),
        clinician=rng.choice(raters),
        level=rng.gauss(0, 0.4),
        gain=max(0.1, rng.gauss(0.9, 0.4)),
        start_age=rng.uniform(0.5, 8),
        partner=rng.uniform(0, 0.35),
        setting=rng.choices(("home", "telehealth", "office"), (0.8, 0.12, 0.08))[0],
    )
