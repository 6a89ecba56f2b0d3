"""Synthetic ratings of the built-in instrument, for the demo mode, the tests and benchmarks.

Real ratings are clinical data and never leave a clinician's laptop, yet the app, the exports
and the agreement statistics need realistic data to be shown, tested and timed. The model:
each dyad has a level per concept that rises over its months of weekly sessions (some dyads
improve more than others); each session adds a disturbance shared by everyone who rated it;
each rater adds a personal bias and noise. So two raters of one session agree more than two
sessions of one dyad do, as in a real reliability study.

The same seed and count always give the same ratings, ids and timestamps included: all
randomness comes from `random.Random(seed)` and every time derives from the session plan
(`demo_plan.py`: from a fixed epoch, or from an `end` date as `rating-tui demo` gives), so tests
and snapshots stay stable. Edits and voids are therefore written as the revisions `Store.update`
and `Store.void` would record, dated by the seed rather than by the clock. Ratings are made in
session-date order and stored with `Store.import_ratings` in batches, so a batch rewrites a few
month files instead of 100,000 single saves each rewriting one.
"""

from __future__ import annotations

import gc
import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any, cast

from rating_tui import paths
from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.model import Instrument, LikertScale, Role, SessionField
from rating_tui.ratings.model import (
    STATUSES,
    Answer,
    Answered,
    InstrumentRef,
    Missing,
    NowMoment,
    Rating,
    RatingContent,
    Revision,
    Value,
)
from rating_tui.services.demo_plan import Session, plan_sessions
from rating_tui.store.api import Store

BUILTIN_ID = "paris-2009-seven-concepts"
RECENT_END_LAG = timedelta(days=21)
"""Edits follow a rating by at most 20 days, so demo data that ends this long before today has
no timestamp in the future (`rating-tui demo` ends it so)."""
BATCH = 10_000
"""Ratings per `import_ratings` call: 10k keeps memory near 250 MB and 100k under ~30 s."""
MAX_COUNT = 1_000_000
ROLES: tuple[Role, ...] = ("dyad", "session_date", "session_number", "rater")
LEVEL = {"narration": 2.2, "processing": 1.4, "past_present": 0.6, "modeling": 1.1}
LEVEL |= {"affective": 1.0, "future": 0.4, "reflective": 0.6}
"""Typical level of each concept early in therapy: telling the story comes first."""
GAIN = {"narration": -0.2, "processing": 0.9, "past_present": 1.0, "modeling": 1.2}
GAIN |= {"affective": 1.3, "future": 1.7, "reflective": 1.5}
"""How much each concept grows over a course of therapy (relative)."""
MOMENTS = [
    tuple(line.split(" | ")) for line in """\
The baby reached for her face; the mother stopped mid-sentence to smile back. | affective modeling
For the first time she said she had been afraid to hold him after the birth. | narration processing
She linked her mother's silences to how she freezes when the baby cries. | past_present reflective
The mother waited before picking the baby up, watching to see what he wanted. | modeling reflective
We laughed together when the baby sneezed; the mother's shoulders dropped. | affective
The mother talked about the baby's first birthday as something to look forward to. | future
While feeding, she wondered aloud if the baby was tired rather than hungry. | reflective
She cried telling the story of the birth and let me stay with her in it. | narration affective
""".splitlines()
]  # fmt: skip
"""Now moments in the project's own words: (text, the concepts it touched)."""
NOTES = (
    "Session cut short by a visitor.",
    "Baby unwell; mother very tired.",
    "Partner joined for the last twenty minutes.",
    "Rated the next morning from memory and notes.",
)
EDIT_REASONS = ("mis-keyed {}", "re-watched the video and changed {}", "{} revised in supervision")
VOID_REASONS = ("rated the wrong session", "duplicate of another rating", "session was cancelled")


@dataclass
class DemoSummary:
    """What `fill_demo_data` made and stored, for the command's report and for the tests."""

    seed: int
    ratings: int = 0
    added: int = 0
    already_present: int = 0
    """Ratings that were there already with the same content (the same seed and count)."""
    sessions: int = 0
    multi_rated_sessions: int = 0
    """Sessions rated by two or more raters (what agreement statistics need)."""
    drafts: int = 0
    revised: int = 0
    voided: int = 0
    missing_codes: int = 0
    now_moments: int = 0
    dyads: set[str] = field(default_factory=set)
    raters: set[str] = field(default_factory=set)
    first_date: date | None = None
    last_date: date | None = None


def builtin_instrument() -> Instrument:
    """The built-in instrument the demo data is made for."""
    path = paths.builtin_instruments_dir() / f"{BUILTIN_ID}.toml"
    return load_instrument(path, "built-in").instrument


def has_ratings(store: Store) -> bool:
    """Whether the folder holds any rating, whatever its status (demo data must not mix in)."""
    return bool(store.list(statuses=STATUSES, limit=1))


def fill_demo_data(
    store: Store,
    instrument: Instrument,
    count: int,
    seed: int = 0,
    *,
    progress: Callable[[int], None] | None = None,
    end: date | None = None,
) -> DemoSummary:
    """Store `count` synthetic ratings of `instrument`, `BATCH` at a time (each batch all or
    nothing); `progress` gets the number stored so far after each batch. With `end`, the last
    sessions fall on that day (the demo app ends them today, so its drafts are recent)."""
    maker = DemoMaker(instrument, count, seed, end)
    maker.plan()
    # The plan (a Session per 1.3 ratings: 770,000 of them with their dates and dyads at 1M)
    # lives until the last batch. Frozen, the cyclic collector no longer walks it at every full
    # collection the batches' allocations set off: walking it made each batch slower the
    # larger the count (about 0.2 s of a 10,000-rating batch at 1M). Nothing is leaked: frozen
    # objects are still freed by reference counting, and everything is unfrozen after.
    gc.freeze()
    try:
        ratings, stored = maker.ratings(), 0
        while batch := list(islice(ratings, BATCH)):
            result = store.import_ratings(batch, {instrument.ref: instrument})
            maker.summary.added += result.added
            maker.summary.already_present += result.unchanged
            stored += len(batch)
            if progress is not None:
                progress(stored)
    finally:
        gc.unfreeze()
    return maker.summary


class DemoMaker:
    """Makes the ratings; `summary` counts what was made as `ratings()` is consumed."""

    def __init__(
        self, instrument: Instrument, count: int, seed: int, end: date | None = None
    ) -> None:
        if not 0 <= count <= MAX_COUNT:
            raise ValueError(f"the demo count must be from 0 to {MAX_COUNT:,}, not {count:,}")
        self.instrument, self.count, self.summary = instrument, count, DemoSummary(seed)
        self.end = end
        self._rng = random.Random(seed)
        self._ids = random.Random(f"{seed}:{count}")  # another count: other ids, no conflict
        self._ref = InstrumentRef.of(instrument)
        self._roles = {getattr(instrument.field_with_role(r), "key", r): r for r in ROLES}
        self._points: dict[str, dict[int | float, Answered]] = {}  # shared frozen answers
        for item in instrument.items:
            scale = instrument.scale_of(item)
            if isinstance(scale, LikertScale):
                self._points[item.key] = {p.value: Answered(value=p.value) for p in scale.points}
            elif item.required:
                raise ValueError(f"demo data needs likert items; {item.key!r} is not one")
        samples: tuple[tuple[Role, str], ...] = (("dyad", "PS0001"), ("rater", "clin_01"))
        for role, sample in samples:
            f = instrument.field_with_role(role)
            if f is None or (f.pattern and not re.fullmatch(f.pattern, sample)):
                raise ValueError(f"demo codes like {sample!r} do not fit {instrument.ref}")
        raters = min(60, 4 + count // 600)  # a clinician follows about 20 dyads
        self._raters = [f"clin_{n:02d}" for n in range(1, raters + 1)]
        self._bias = {r: self._rng.gauss(0, 0.3) for r in self._raters}
        self._plan: tuple[dict[int, str], list[Session]] | None = None

    def plan(self) -> tuple[dict[int, str], list[Session]]:
        """(which ratings are special, the sessions in date order), made once (in this order:
        both draw from the seed's generator)."""
        if self._plan is None:
            specials = self._specials()
            sessions = plan_sessions(self._rng, self._raters, self.count, self.end)
            self._plan = specials, sessions
        return self._plan

    def ratings(self) -> Iterator[Rating]:
        """`count` ratings, in session-date order."""
        (specials, sessions), made = self.plan(), 0
        for session in sessions:
            facts = self._session_facts(session)
            self.summary.sessions += 1
            raters = session.raters[: self.count - made]
            for position, rater in enumerate(raters):
                rating = self._rating(session, rater, position, facts, specials.get(made))
                made += 1
                self._tally(rating, session)
                yield rating
            self.summary.multi_rated_sessions += len(raters) > 1
            if made == self.count:
                return

    def _specials(self) -> dict[int, str]:
        """Which ratings (by position) are drafts (among the latest), edited or voided."""
        n, rng = self.count, self._rng
        if n < 4:
            return {}
        drafts, voided, edited = max(1, n // 150), max(1, n // 400), max(1, n // 60)
        tail = range(max(0, n - max(20, 4 * drafts)), n)
        chosen = rng.sample(tail, min(drafts, len(tail) - 2))
        taken = set(chosen)
        rest = [i for i in range(n) if i not in taken]
        others = rng.sample(rest, min(len(rest), voided + edited))
        out = dict.fromkeys(chosen, "draft") | dict.fromkeys(others[:voided], "voided")
        return out | dict.fromkeys(others[voided:], "edited")

    # --- one session, one rating --------------------------------------------------------------

    def _session_facts(self, s: Session) -> dict[str, Any]:
        """What everyone who rated the session saw: who was there, what happened."""
        rng = self._rng
        present = ["mother"] + (["infant"] if rng.random() > 0.06 else [])
        present += ["partner"] if rng.random() < s.dyad.partner else []
        present += ["siblings"] if rng.random() < 0.08 else []
        growth = 1.3 * s.dyad.gain * s.progress
        latent = {
            key: LEVEL.get(key, 1.5) + s.dyad.level + growth * GAIN.get(key, 1.0)
            for key in self._points
        }
        return {
            "latent": {k: v + rng.gauss(0, 0.45) for k, v in latent.items()},
            "present": present,
            "duration": 5 * rng.randint(9, 18),
            "moment": rng.choice(MOMENTS) if rng.random() < 0.15 + 0.35 * s.progress else None,
            "start": datetime.combine(s.day, datetime.min.time(), UTC)
            + timedelta(hours=rng.randint(8, 16)),
        }

    def _rating(
        self, s: Session, rater: str, position: int, facts: dict[str, Any], special: str | None
    ) -> Rating:
        rng = self._rng
        basis = "live" if position == 0 else rng.choices(("video", "notes"), (0.8, 0.2))[0]
        moments = []
        if facts["moment"] is not None and rng.random() < 0.8:
            text, tags = facts["moment"]
            allowed = self.instrument.moment_tags
            moments = [NowMoment(text=text, tags=[t for t in tags.split() if t in allowed])]
        parts: dict[str, Any] = {
            "instrument": self._ref,
            "rater": rater,
            "session": self._fields(s, rater, basis, facts),
            "answers": self._answers(rater, basis, facts),
            "now_moments": moments,
            "notes": rng.choice(NOTES) if rng.random() < 0.12 else "",
        }
        delay = rng.randint(60, 1800) if position == 0 else rng.randint(1440, 14 * 1440)
        created = facts["start"] + timedelta(minutes=delay)
        rating_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
        if special == "draft":
            for key in rng.sample(sorted(parts["answers"]), rng.randint(1, 3)):
                del parts["answers"][key]
            return Rating(**parts, id=rating_id, created=created, updated=created, status="draft")
        revisions = self._edits(parts, rater, created) if special == "edited" else []
        if special == "voided":
            at = created + timedelta(hours=rng.randint(1, 72))
            previous = RatingContent(**parts, status="final")
            why = rng.choice(VOID_REASONS)
            revisions = [Revision(at=at, by=rater, reason=why, action="void", previous=previous)]
        updated = revisions[-1].at if revisions else created
        status = "voided" if special == "voided" else "final"
        return Rating(
            **parts, id=rating_id, created=created, updated=updated, status=status,
            revisions=revisions,
        )  # fmt: skip

    def _fields(
        self, s: Session, rater: str, basis: str, facts: dict[str, Any]
    ) -> dict[str, Value]:
        rng = self._rng
        age = round(s.dyad.start_age + (s.day - s.dyad.start).days / 30.44, 1)
        by_role: dict[str, Value] = {
            "dyad": s.dyad.code,
            "session_date": s.day.isoformat(),
            "session_number": s.number,
            "rater": rater,
        }
        wanted: dict[str, Value | None] = {
            "setting": s.dyad.setting,
            "duration_min": facts["duration"] if rng.random() < 0.75 else None,
            "infant_age_months": age if rng.random() < 0.6 and age <= 48 else None,
            "present": facts["present"],
            "basis": basis,
        }
        out: dict[str, Value] = {}
        for f in self.instrument.fields:
            role = self._roles.get(f.key)
            value = by_role[role] if role else _fitting(f, wanted.get(f.key))
            if value is not None:
                out[f.key] = value
        return out

    def _answers(self, rater: str, basis: str, facts: dict[str, Any]) -> dict[str, Answer]:
        """Latent level + rater bias + noise, rounded to the nearest scale point; sometimes
        not observed (more often when rating from notes); not applicable without the infant."""
        rng, out = self._rng, dict[str, Answer]()
        chance = {"live": 0.02, "video": 0.04, "notes": 0.15}[basis]
        infant = "infant" in facts["present"]
        for item in self.instrument.items:
            points, codes = self._points.get(item.key), item.missing_codes
            if points is None:
                continue
            if not infant and "not_applicable" in codes:
                out[item.key] = Missing(missing="not_applicable")
            elif codes and rng.random() < chance:
                out[item.key] = Missing(missing=codes[0])
            else:
                raw = facts["latent"][item.key] + self._bias[rater] + rng.gauss(0, 0.35)
                out[item.key] = points[min(points, key=lambda p: abs(p - raw))]
        return out

    def _edits(self, parts: dict[str, Any], rater: str, created: datetime) -> list[Revision]:
        """One or two corrections of a mis-keyed value, as `Store.update` records them."""
        rng, labels = self._rng, {i.key: i.label for i in self.instrument.items}
        at, later, earlier_versions = created, parts, list[tuple[dict[str, Any], str]]()
        for _ in range(1 if rng.random() < 0.75 else 2):
            answers: dict[str, Answer] = later["answers"]
            keys = sorted(k for k, a in answers.items() if isinstance(a, Answered))
            if not keys:
                break
            key = rng.choice(keys)
            value = cast(float, cast(Answered, answers[key]).value)
            near = [p for p in self._points[key] if 0 < abs(p - value) <= 1]
            later = later | {"answers": answers | {key: self._points[key][rng.choice(near)]}}
            earlier_versions.insert(0, (later, rng.choice(EDIT_REASONS).format(labels[key])))
        revisions = []
        for earlier, why in earlier_versions:
            at += timedelta(hours=rng.randint(2, 240))
            by = rater if rng.random() < 0.8 else self._raters[0]
            previous = RatingContent(**earlier, status="final")
            revisions.append(Revision(at=at, by=by, reason=why, action="update", previous=previous))
        return revisions

    def _tally(self, rating: Rating, session: Session) -> None:
        summary, day = self.summary, session.day
        summary.ratings += 1
        summary.dyads.add(session.dyad.code)
        summary.raters.add(rating.rater)
        summary.drafts += rating.status == "draft"
        summary.voided += rating.status == "voided"
        summary.revised += any(r.action == "update" for r in rating.revisions)
        summary.missing_codes += sum(isinstance(a, Missing) for a in rating.answers.values())
        summary.now_moments += len(rating.now_moments)
        summary.first_date = min(summary.first_date or day, day)
        summary.last_date = max(summary.last_date or day, day)


def _fitting(f: SessionField, wanted: Value | None) -> Value | None:
    """`wanted` when it fits the choices of field `f`; else the first choice when the field is
    required, else nothing (a field the demo does not know stays empty unless required)."""
    codes = [c.code for c in f.choices]
    if isinstance(wanted, list):
        wanted = [c for c in wanted if c in codes] or None
    elif codes and wanted not in codes:
        wanted = None
    if wanted is None and f.required and codes:
        return [codes[0]] if f.type == "multiple_choice" else codes[0]
    return wanted
