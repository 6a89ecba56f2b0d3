"""The Rating record: what a rater said about one session, and every earlier version of it.

An item has three distinct states, kept apart all the way into the export: a value
(`Answered`), an explicit reason for no value (`Missing`, e.g. not observed), or no entry at all
(allowed only for optional items and drafts). Unknown keys are rejected so that a hand-edited or
imported record with a typo fails loudly instead of losing data silently.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.model import KEY_PATTERN, Instrument

Status = Literal["draft", "final", "voided"]
"""draft: work in progress, saved on every change; final: submitted; voided: withdrawn."""

STATUSES: tuple[Status, ...] = ("draft", "final", "voided")
FINAL_ONLY: tuple[Status, ...] = ("final",)
"""What lists and exports show unless asked for more: drafts and voided ratings are left out."""

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

Value = StrictInt | StrictFloat | StrictStr | list[StrictInt | StrictStr]
"""An item value or session-field value. Strict: a quoted "3" is not the number 3, true is not 1."""


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("expected a time with a UTC offset, e.g. 2026-01-31T14:05:00+00:00")
    return moment.astimezone(UTC)


UtcTime = Annotated[
    datetime,
    AfterValidator(_utc),
    PlainSerializer(
        lambda t: t.isoformat(timespec="microseconds"), return_type=str, when_used="json"
    ),
]
"""A UTC time, written as ISO 8601 with an explicit offset (`+00:00`)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Answered(_Record):
    """The item was rated: `value` is a scale point, number, choice code(s) or text."""

    value: Value


class Missing(_Record):
    """The item was deliberately not rated, for a reason the instrument allows (a code)."""

    missing: Annotated[str, Field(pattern=KEY_PATTERN)]


Answer = Answered | Missing


class NowMoment(_Record):
    """A small unplanned moment of meeting, tagged with the item keys (concepts) it touched."""

    text: str
    tags: list[str] = Field(default_factory=list)


class InstrumentRef(_Record):
    """The exact instrument content a rating was made with."""

    id: str
    version: str
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @classmethod
    def of(cls, instrument: Instrument) -> InstrumentRef:
        return cls(id=instrument.id, version=instrument.version, hash=content_hash(instrument))


class RatingContent(_Record):
    """What a rater says about a session; a revision keeps a complete copy of it."""

    instrument: InstrumentRef
    rater: Annotated[str, Field(min_length=1)]
    session: dict[str, Value] = Field(default_factory=dict)
    """Session field values by field key (dyad code, date as YYYY-MM-DD, session number...)."""
    answers: dict[str, Answer] = Field(default_factory=dict)
    """Item key -> value or missing code; an item without an entry is unanswered."""
    now_moments: list[NowMoment] = Field(default_factory=list)
    notes: str = ""
    status: Status = "draft"


CONTENT_FIELDS = frozenset(RatingContent.model_fields)


class Revision(_Record):
    """One change to a final rating: the content before it, who made it, when and why."""

    at: UtcTime
    by: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    action: Literal["update", "void"]
    previous: RatingContent


@dataclass(frozen=True)
class HistoryEntry:
    """One version of a rating, oldest first; the last one is the current content."""

    number: int
    content: RatingContent
    since: datetime
    by: str
    reason: str
    """Why this version replaced the one before ("" for the first)."""
    current: bool


class Rating(RatingContent):
    """A stored rating: content plus identity, timestamps and its revisions (oldest first)."""

    id: Annotated[str, Field(pattern=UUID_PATTERN)]
    created: UtcTime
    updated: UtcTime
    revisions: list[Revision] = Field(default_factory=list)

    @classmethod
    def new(cls, instrument: Instrument, rater: str, *, now: datetime | None = None) -> Rating:
        """A fresh draft for `instrument`, with a random id; the rater field is filled in."""
        moment = now or utc_now()
        rater_field = instrument.field_with_role("rater")
        session: dict[str, Value] = {rater_field.key: rater} if rater_field else {}
        return cls(
            id=str(uuid.uuid4()),
            instrument=InstrumentRef.of(instrument),
            rater=rater,
            session=session,
            created=moment,
            updated=moment,
        )

    def content(self) -> RatingContent:
        """The content part only (what a revision keeps)."""
        return RatingContent.model_validate(self.model_dump(include=set(CONTENT_FIELDS)))

    def with_content(self, content: RatingContent, **changes: Any) -> Rating:
        """This rating's identity and history with other content (validated)."""
        data = self.model_dump() | content.model_dump() | changes
        return Rating.model_validate(data)

    def replace(self, **changes: Any) -> Rating:
        """A validated copy with some fields changed (the model is frozen)."""
        return Rating.model_validate(self.model_dump() | changes)

    def with_answer(self, item: str, answer: Answer | None) -> Rating:
        """A copy with one item answered, coded missing, or (None) unanswered."""
        answers = dict(self.answers)
        if answer is None:
            answers.pop(item, None)
        else:
            answers[item] = answer
        return self.replace(answers=answers)

    def with_field(self, key: str, value: Value | None) -> Rating:
        """A copy with one session field set, or (None) cleared."""
        session = dict(self.session)
        if value is None:
            session.pop(key, None)
        else:
            session[key] = value
        return self.replace(session=session)

    @property
    def void_reason(self) -> str | None:
        """Why the rating was voided, or None when it is not voided."""
        if self.status != "voided":
            return None
        return next((r.reason for r in reversed(self.revisions) if r.action == "void"), None)

    def history(self) -> list[HistoryEntry]:
        """Every version, oldest first, each with when it was saved, by whom and why."""
        contents = [r.previous for r in self.revisions] + [self.content()]
        entries = []
        for n, content in enumerate(contents):
            change = self.revisions[n - 1] if n else None
            entries.append(
                HistoryEntry(
                    number=n + 1,
                    content=content,
                    since=change.at if change else self.created,
                    by=change.by if change else content.rater,
                    reason=change.reason if change else "",
                    current=n == len(contents) - 1,
                )
            )
        return entries
