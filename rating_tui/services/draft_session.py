"""One rating being made or edited, saved through the store as the rater goes.

A new rating is a draft saved on every change, so a crash or a closed lid loses at most the
keystroke in flight. Editing a final rating is different: its changes stay here until the
rater saves them with a reason, which the store keeps with the previous revision.

Every save names the stored version it is based on (`Rating.updated`). When another window or
process changed the rating meanwhile, the store refuses with `RatingConflictError`; the rater's
version stays here, unsaved (`unsaved_changes` lists it), until they `reload` the stored one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from rating_tui.instruments.model import Instrument, Item
from rating_tui.ratings.entry import field_default, next_session_number
from rating_tui.ratings.model import Answer, Answered, Missing, NowMoment, Rating, Value
from rating_tui.ratings.shown import not_asked
from rating_tui.ratings.validate import RatingProblem, validate_rating
from rating_tui.ratings.value_checks import field_value_problem
from rating_tui.store.api import Store
from rating_tui.store.errors import RatingConflictError, StoreError


def suggest_session_number(
    store: Store, instrument: Instrument, dyad: str, exclude: str | None = None
) -> int:
    """The dyad's last session number + 1, from its final ratings and drafts."""
    number_key = instrument.key_for("session_number")
    last = None
    for rating in store.list(dyad=dyad, statuses=("final", "draft"), limit=500):
        value = rating.session.get(number_key) if number_key else None
        if isinstance(value, int) and rating.id != exclude:
            last = value if last is None else max(last, value)
    return next_session_number(last)


def known_dyads(store: Store, instrument: Instrument, limit: int = 500) -> list[str]:
    """Dyad codes already rated, most recent session first, for auto-completion."""
    dyad_key = instrument.key_for("dyad")
    seen: dict[str, None] = {}
    for rating in store.list(statuses=("final", "draft"), limit=limit):
        value = rating.session.get(dyad_key) if dyad_key else None
        if isinstance(value, str):
            seen.setdefault(value)
    return list(seen)


@dataclass
class DraftSession:
    """The rating on screen, its instrument, and where it is saved."""

    store: Store
    instrument: Instrument
    rating: Rating
    editing_final: bool = False
    """True when editing a final rating: saved once, with a reason, by `save_edit`."""
    dirty: bool = field(default=False)
    dropped: list[str] = field(default_factory=list)
    """Items whose answers the last change removed because they are no longer asked."""
    conflict: RatingConflictError | None = None
    """Set when a save was refused because the stored rating changed meanwhile."""

    @classmethod
    def start(cls, store: Store, instrument: Instrument, rater: str, today: date) -> DraftSession:
        """A new rating with every session field at its default; not saved until a change."""
        rating = Rating.new(instrument, rater)
        for f in instrument.fields:
            value = field_default(f, today)
            if value is not None and f.key not in rating.session:
                rating = rating.with_field(f.key, value)
        return cls(store, instrument, rating)

    @classmethod
    def resume(cls, store: Store, instrument: Instrument, rating: Rating) -> DraftSession:
        return cls(store, instrument, rating, editing_final=rating.status == "final")

    # --- session fields ----------------------------------------------------------------------

    def set_session(self, values: dict[str, Value | None]) -> list[RatingProblem]:
        """Set every session field; on any invalid value nothing changes and the problems
        (by field key) are returned. The rater field also sets the rating's rater."""
        problems = []
        given = {k: v for k, v in values.items() if v is not None}
        hidden = not_asked(self.instrument, self.rating.replace(session=given))
        for f in self.instrument.fields:
            value = values.get(f.key)
            if f.key in hidden:
                continue  # not asked: not required, and its value is dropped on saving
            if value is None:
                if f.required:
                    problems.append(RatingProblem(f.key, f"{f.label} is required"))
                continue
            problem = field_value_problem(f, value)
            if problem:
                problems.append(RatingProblem(f.key, problem))
        if problems:
            return problems
        session = {k: v for k, v in values.items() if v is not None}
        rater_key = self.instrument.key_for("rater")
        rater = session.get(rater_key) if rater_key else None
        changes: dict[str, object] = {"session": session}
        if isinstance(rater, str):
            changes["rater"] = rater
        self._change(self.rating.replace(**changes))
        return []

    # --- items, moments, notes ---------------------------------------------------------------

    def answer(self, item: Item, answer: Answer | None) -> list[str]:
        """Answer (or clear) one item; returns the keys of items that this hides and whose
        answers were therefore removed (an answer to a question not asked is not allowed)."""
        self._change(self.rating.with_answer(item.key, answer))
        return self.dropped

    # --- branching ---------------------------------------------------------------------------

    def asked(self, item: Item) -> bool:
        """Whether the item is asked, given the answers so far (its `show_if`)."""
        return item.show_if is None or item.key not in not_asked(self.instrument, self.rating)

    def step_from(self, index: int, delta: int) -> int:
        """The index of the nearest item asked, `delta` (+1 or -1) away from `index` and
        beyond; `index` itself when there is none that way (keyboard flow skips the rest)."""
        hidden = not_asked(self.instrument, self.rating)
        items = self.instrument.items
        n = index + delta
        while 0 <= n < len(items):
            if items[n].key not in hidden:
                return n
            n += delta
        return index

    def _without_hidden(self, rating: Rating) -> Rating:
        """`rating` without answers to questions it is no longer asked (noted in `dropped`)."""
        hidden = not_asked(self.instrument, rating)
        drop_items = [k for k in rating.answers if k in hidden]
        drop_fields = [k for k in rating.session if k in hidden]
        self.dropped = drop_items + drop_fields
        if not self.dropped:
            return rating
        answers = {k: a for k, a in rating.answers.items() if k not in hidden}
        session = {k: v for k, v in rating.session.items() if k not in hidden}
        return rating.replace(answers=answers, session=session)

    def add_moment(self, text: str, tags: list[str]) -> None:
        moments = [*self.rating.now_moments, NowMoment(text=text, tags=tags)]
        self._change(self.rating.replace(now_moments=moments))

    def replace_moment(self, index: int, moment: NowMoment | None) -> None:
        """Edit (or, with None, remove) the moment at `index`."""
        moments = list(self.rating.now_moments)
        if moment is None:
            del moments[index]
        else:
            moments[index] = moment
        self._change(self.rating.replace(now_moments=moments))

    def set_notes(self, notes: str) -> None:
        if notes != self.rating.notes:
            self._change(self.rating.replace(notes=notes))

    # --- finishing ---------------------------------------------------------------------------

    def missing(self) -> list[RatingProblem]:
        """What stops this rating from being final (required answers not given, ...)."""
        final = self.rating.replace(status="final")
        return validate_rating(final, self.instrument)

    def finalise(self) -> Rating:
        """Save as final (the store checks completeness again and refuses if incomplete)."""
        self.rating = self._saving(lambda: self.store.finalise(self.rating, self.instrument))
        self.dirty = False
        return self.rating

    def save_edit(self, by: str, reason: str) -> Rating:
        """Save the changes to a final rating, keeping the previous revision and the reason."""
        self.rating = self._saving(
            lambda: self.store.update(self.rating, self.instrument, by=by, reason=reason)
        )
        self.dirty = False
        return self.rating

    def edited(self) -> bool:
        """Whether the final rating being edited differs from the stored one (as
        `Store.update` compares them: an unchanged content is not saved)."""
        stored = self.store.get(self.rating.id)
        return self.rating.content().model_copy(update={"status": "final"}) != stored.content()

    # --- conflicts ---------------------------------------------------------------------------

    def unsaved_changes(self) -> list[str]:
        """What the rater has here that the stored rating does not (after a conflict), as
        lines like "narration: 3" or "notes: ...", so it can be shown and re-entered."""
        try:
            stored = self.store.get(self.rating.id)
        except StoreError:
            return []
        mine, theirs = self.rating, stored
        lines = []
        for key in sorted(set(mine.session) | set(theirs.session)):
            if mine.session.get(key) != theirs.session.get(key):
                lines.append(f"{key}: {mine.session.get(key, '(empty)')}")
        for key in sorted(set(mine.answers) | set(theirs.answers)):
            if mine.answers.get(key) != theirs.answers.get(key):
                answer = mine.answers.get(key)
                shown = (
                    answer.value
                    if isinstance(answer, Answered)
                    else answer.missing
                    if isinstance(answer, Missing)
                    else "(unanswered)"
                )
                lines.append(f"{key}: {shown}")
        if mine.now_moments != theirs.now_moments:
            lines += [f"now moment: {m.text}" for m in mine.now_moments]
        if mine.notes != theirs.notes:
            lines.append(f"notes: {mine.notes}")
        return lines

    def reload(self) -> Rating:
        """Take the stored version (after a conflict); the rater's own changes are dropped
        here, so show `unsaved_changes` first."""
        stored = self.store.get(self.rating.id)
        self.rating = stored
        self.editing_final = stored.status == "final"
        self.conflict = None
        self.dirty = False
        return stored

    def _saving(self, save: Callable[[], Rating]) -> Rating:
        try:
            saved = save()
        except RatingConflictError as exc:
            if exc.at is not None:
                self.conflict = exc
            raise
        self.conflict = None
        return saved

    def _change(self, rating: Rating) -> None:
        rating = self._without_hidden(rating)
        self.rating = rating
        if self.editing_final:
            self.dirty = True
        else:
            self.rating = self._saving(lambda: self.store.save_draft(rating, self.instrument))
