"""Ratings: the Rating record (values, missing codes, revisions) and its validation rules."""

from rating_tui.ratings.model import (
    STATUSES,
    Answer,
    Answered,
    HistoryEntry,
    InstrumentRef,
    Missing,
    NowMoment,
    Rating,
    RatingContent,
    Revision,
    Status,
    utc_now,
)
from rating_tui.ratings.validate import RatingProblem, validate_rating

__all__ = [
    "STATUSES",
    "Answer",
    "Answered",
    "HistoryEntry",
    "InstrumentRef",
    "Missing",
    "NowMoment",
    "Rating",
    "RatingContent",
    "RatingProblem",
    "Revision",
    "Status",
    "utc_now",
    "validate_rating",
]
