"""Branching and scores applied to one rating: which questions it is asked, and its scores.

Shared by validation, the draft session (answers to questions no longer asked), the app's
navigation and review, and the exports, so they all agree on what "not asked" means.
"""

from __future__ import annotations

from dataclasses import dataclass

from rating_tui.instruments.conditions import Condition, hidden_questions
from rating_tui.instruments.model import Instrument
from rating_tui.instruments.scores import Score, compute, formula, needed, score_items
from rating_tui.ratings.model import Answered, RatingContent


def item_values(rating: RatingContent) -> dict[str, object]:
    """Item key -> value, for items answered with a value (not a missing code)."""
    return {k: a.value for k, a in rating.answers.items() if isinstance(a, Answered)}


def not_asked(instrument: Instrument, rating: RatingContent) -> dict[str, Condition]:
    """Session fields and items this rating is not asked, each with its false condition."""
    if all(f.show_if is None for f in instrument.fields) and all(
        i.show_if is None for i in instrument.items
    ):
        return {}
    return hidden_questions(instrument, rating.session, item_values(rating))


@dataclass(frozen=True)
class ScoreResult:
    """A score of one rating: its value (None: too few items had a value) and on how many."""

    score: Score
    value: int | float | None
    answered: int
    needed: int
    of: int
    """How many items the score is over."""
    formula: str

    @property
    def text(self) -> str:
        """`1.50 (mean over 2 of 3 items)`; a dash and the reason when too few have a value."""
        counted = f"{self.answered} of {self.of} items"
        if self.value is None:
            return f"– (too few values: {self.answered}, needs {self.needed})"
        shown = f"{self.value:.2f}" if isinstance(self.value, float) else str(self.value)
        return f"{shown} ({self.score.method} over {counted})"


def scores_of(instrument: Instrument, rating: RatingContent) -> list[ScoreResult]:
    """Every score of the instrument for this rating, in file order."""
    if not instrument.scores:
        return []
    values = item_values(rating)
    out = []
    for score in instrument.scores:
        value, answered = compute(instrument, score, values)
        wanted, of = needed(instrument, score), len(score_items(instrument, score))
        out.append(ScoreResult(score, value, answered, wanted, of, formula(instrument, score)))
    return out
