"""Check a rating against the instrument version it was made with.

Returns every problem rather than stopping at the first, each naming the session field, item or
now moment it concerns, so the app can mark them all and an import can report them per line.
Completeness (required fields and items answered) applies to final ratings only: a draft may
be half done, a voided rating is kept as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rating_tui.instruments.conditions import Condition, describe
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.model import (
    Instrument,
)
from rating_tui.ratings.limits import (
    MAX_INT,
    MAX_NAME,
    MAX_NOTES,
    MAX_REVISIONS,
    revision_problems,
    value_problem,
)
from rating_tui.ratings.model import Answered, Missing, Rating, RatingContent, Value
from rating_tui.ratings.shown import not_asked
from rating_tui.ratings.value_checks import field_value_problem, item_value_problem
from rating_tui.safetext import UNSAFE


@dataclass(frozen=True)
class RatingProblem:
    """One thing wrong with a rating: `path` names the part (`items.holding`), `message` says
    what was found and what is expected."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def validate_rating(
    rating: RatingContent, instrument: Instrument, *, instrument_hash: str | None = None
) -> list[RatingProblem]:
    """Every problem of `rating` against `instrument`; an empty list means it may be saved.

    `instrument_hash` saves recomputing `content_hash(instrument)` when the caller has it.
    """
    complete = rating.status == "final"
    out = _instrument_problems(rating, instrument, instrument_hash)
    out += _text_problems(rating, instrument)
    hidden = not_asked(instrument, rating)
    out += _session_problems(rating, instrument, complete, hidden)
    out += _answer_problems(rating, instrument, complete, hidden)
    out += _moment_problems(rating, instrument, complete)
    return out


def validate_history(
    rating: Rating, instruments: Mapping[str, tuple[Instrument, str]]
) -> list[RatingProblem]:
    """`validate_rating` for the rating and for every earlier version kept in its revisions
    (an import must not smuggle in through a revision what it may not store itself).

    `instruments` maps `id@version` to (instrument, content hash); a revision made with a
    version that is not there is refused, naming the version it needs.
    """
    out: list[RatingProblem] = []
    if len(rating.revisions) > MAX_REVISIONS:
        return [
            RatingProblem(
                "revisions", f"holds {len(rating.revisions):,}; at most {MAX_REVISIONS:,} are kept"
            )
        ]
    for n, revision in enumerate(rating.revisions):
        where = f"revisions[{n}]"
        out += [
            RatingProblem(p, m) for p, m in revision_problems(revision.by, revision.reason, where)
        ]
        previous = revision.previous
        found = instruments.get(previous.instrument.ref)
        if found is None:
            out.append(
                RatingProblem(
                    f"{where}.previous.instrument",
                    f"{previous.instrument.ref} is not among your instruments; import with it",
                )
            )
            continue
        for problem in validate_rating(previous, found[0], instrument_hash=found[1]):
            out.append(RatingProblem(f"{where}.previous.{problem.path}", problem.message))
    current = instruments.get(rating.instrument.ref)
    if current is None:
        out.append(
            RatingProblem("instrument", f"{rating.instrument.ref} is not among your instruments")
        )
    else:
        out = validate_rating(rating, current[0], instrument_hash=current[1]) + out
    return out


_CHECKED_ELSEWHERE = 1 << 62
"""The length limit of text the instrument bounds (`max_length`), checked with its rules."""


def _plainly_fine(rating: RatingContent) -> bool:
    """The usual case in one pass: no control or bidi character in any text, and the limits
    met (the full check, which names each problem, runs only when this says no)."""
    if len(rating.notes) > MAX_NOTES or len(rating.rater) > MAX_NAME:
        return False
    texts = [rating.rater, rating.notes, *(m.text for m in rating.now_moments)]
    values = [*rating.session.values()]
    values += [a.value for a in rating.answers.values() if isinstance(a, Answered)]
    for value in values:
        for v in value if isinstance(value, list) else (value,):
            if isinstance(v, str):
                texts.append(v)
            elif isinstance(v, int) and abs(v) > MAX_INT:
                return False
    return UNSAFE.search("\n".join(texts)) is None


def _text_problems(rating: RatingContent, instrument: Instrument) -> list[RatingProblem]:
    """Control characters, lengths and whole-number range, on every text the rating holds
    (the instrument's own rules check the rest)."""
    if _plainly_fine(rating):
        return []
    out: list[RatingProblem] = []

    def check(where: str, value: object, limit: int, code: bool = False) -> None:
        problem = value_problem(value, limit, code=code)
        if problem is not None:
            out.append(RatingProblem(where, problem))

    check("rater", rating.rater, MAX_NAME, code=True)
    fields = {f.key: f for f in instrument.fields}
    for key, value in rating.session.items():
        f = fields.get(key)
        code = f is None or f.role is not None or f.type != "text"
        check(f"fields.{key}", value, _CHECKED_ELSEWHERE if f else MAX_NAME, code)
    for key, answer in rating.answers.items():
        if isinstance(answer, Answered):
            check(f"items.{key}", answer.value, _CHECKED_ELSEWHERE)
    for n, moment in enumerate(rating.now_moments):
        check(f"now_moments[{n}].text", moment.text, _CHECKED_ELSEWHERE)
    check("notes", rating.notes, MAX_NOTES)
    return out


def _instrument_problems(
    rating: RatingContent, instrument: Instrument, known_hash: str | None
) -> list[RatingProblem]:
    ref = rating.instrument
    if (ref.id, ref.version) != (instrument.id, instrument.version):
        return [
            RatingProblem("instrument", f"the rating was made with {ref.ref}, not {instrument.ref}")
        ]
    actual = known_hash or content_hash(instrument)
    if ref.hash != actual:
        return [
            RatingProblem(
                "instrument.hash",
                f"the rating was made with other content of {ref.ref} (hash {ref.hash[:12]}..., "
                f"this instrument file has {actual[:12]}...); an instrument changed after use "
                "needs a new version number",
            )
        ]
    return []


# --- session fields ---------------------------------------------------------------------------


def _blank(value: Value | None) -> bool:
    return value is None or value == "" or value == []


def not_asked_problem(condition: Condition) -> str:
    """Why an answer to a question that is not asked is refused, naming the condition."""
    return f"answered, but not asked: it is asked only if {describe(condition)}"


def _session_problems(
    rating: RatingContent, instrument: Instrument, complete: bool, hidden: dict[str, Condition]
) -> list[RatingProblem]:
    fields = {f.key: f for f in instrument.fields}
    out = [
        RatingProblem(f"fields.{key}", f"unknown session field (fields: {', '.join(fields)})")
        for key in rating.session
        if key not in fields
    ]
    for f in instrument.fields:
        value = rating.session.get(f.key)
        where = f"fields.{f.key}"
        if f.key in hidden:
            if not _blank(value):
                out.append(RatingProblem(where, not_asked_problem(hidden[f.key])))
            continue
        if _blank(value):
            if complete and f.required:
                out.append(RatingProblem(where, f"{f.label!r} is required"))
            continue
        assert value is not None
        problem = field_value_problem(f, value)
        if problem:
            out.append(RatingProblem(where, problem))
        elif f.role == "rater" and value != rating.rater:
            out.append(
                RatingProblem(where, f"{value!r} differs from the rating's rater {rating.rater!r}")
            )
    return out


# --- items ------------------------------------------------------------------------------------


def _answer_problems(
    rating: RatingContent, instrument: Instrument, complete: bool, hidden: dict[str, Condition]
) -> list[RatingProblem]:
    items = {i.key: i for i in instrument.items}
    out = [
        RatingProblem(f"items.{key}", f"unknown item (items: {', '.join(items)})")
        for key in rating.answers
        if key not in items
    ]
    for item in instrument.items:
        answer = rating.answers.get(item.key)
        where = f"items.{item.key}"
        if item.key in hidden:
            if answer is not None:
                out.append(RatingProblem(where, not_asked_problem(hidden[item.key])))
            continue
        if isinstance(answer, Missing):
            if answer.missing not in item.missing_codes:
                allowed = ", ".join(item.missing_codes) or "none for this item"
                out.append(
                    RatingProblem(where, f"code {answer.missing!r} is not allowed ({allowed})")
                )
        elif isinstance(answer, Answered) and answer.value != "":
            problem = item_value_problem(instrument, item, answer.value)
            if problem:
                out.append(RatingProblem(where, problem))
        elif complete and item.required:
            codes = f" or a code ({', '.join(item.missing_codes)})" if item.missing_codes else ""
            out.append(RatingProblem(where, f"{item.label!r} is required: give a value{codes}"))
    return out


# --- now moments ------------------------------------------------------------------------------


def _moment_problems(
    rating: RatingContent, instrument: Instrument, complete: bool
) -> list[RatingProblem]:
    if not rating.now_moments:
        return []
    config = instrument.now_moments
    if not config.enabled:
        return [RatingProblem("now_moments", f"{instrument.ref} has no now-moments log")]
    allowed = instrument.moment_tags
    out = []
    for n, moment in enumerate(rating.now_moments):
        where = f"now_moments[{n}]"
        if complete and not moment.text.strip():
            out.append(RatingProblem(f"{where}.text", "is empty; describe the moment or remove it"))
        if len(moment.text) > config.max_length:
            out.append(
                RatingProblem(
                    f"{where}.text",
                    f"is {len(moment.text)} characters long; at most {config.max_length} allowed",
                )
            )
        for tag in moment.tags:
            if tag not in allowed:
                out.append(
                    RatingProblem(
                        f"{where}.tags", f"{tag!r} is not a tag (tags: {', '.join(allowed)})"
                    )
                )
        if len(set(moment.tags)) != len(moment.tags):
            out.append(RatingProblem(f"{where}.tags", "a tag is given twice"))
    return out
