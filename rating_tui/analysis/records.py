"""What pairing needs of one rating, read from a Rating or straight from its stored record.

`record_parts` takes the stored dict (`Store.iter_records`) without building a model, checking
cheaply only what it uses; `rating_parts` takes a Rating. The answers are then read by
`answer_number` and `choice_number` (a value, or whether the item was coded not observed /
not applicable), and a rating's update time by `stamp`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from sys import intern
from typing import TYPE_CHECKING, Any

from rating_tui.ratings.model import Answered, Missing, Rating

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument

Record = Mapping[str, Any]
"""A stored rating, as `Rating.model_dump(mode="json")` gives it (`Store.iter_records`)."""
Fields = Mapping[str, object] | tuple[str, ...]
"""A rating's session fields; made small by `Slim`, the texts of its session key's parts."""
Answers = Mapping[str, object] | tuple[object, ...]
"""A rating's answers by item key; made small by `Slim`, the analysed items' answers in the
instrument's order (None: unanswered)."""
Parts = tuple[tuple[str, str, str], str, str, Fields, Answers, str | float]
"""(instrument id, version, hash), status, rater, session fields, answers, updated (ISO; made
small by `Slim`, as `stamp` reads it)."""
LEFT_OUT: Parts = (("", "", ""), "", "", {}, {}, "")
"""Parts of a rating a filter left out: no status, so `collect` passes it by."""


def stamp(updated: str) -> float:
    """An ISO 8601 update time as POSIX seconds (a float keeps the microseconds of this
    century exactly); one that cannot be read counts as older than any other."""
    try:
        return datetime.fromisoformat(updated).timestamp()
    except ValueError:
        return -math.inf


def answered_values(answers: Mapping[str, object]) -> dict[str, object]:
    """Item key -> value of the items answered with a value, stored or modelled (what
    `instruments.scores.compute` takes, as the exports give it)."""
    found: dict[str, object] = {}
    for key, answer in answers.items():
        if type(answer) is dict:
            if "value" in answer:
                found[key] = answer["value"]
        elif isinstance(answer, Answered):
            found[key] = answer.value
    return found


def _answer_value(answer: object) -> tuple[object, bool]:
    """(the value or None, whether it is a missing code) of an answer, stored or modelled."""
    if type(answer) is dict:  # {"value": v} or {"missing": code}: the stored form
        if "missing" in answer:
            return None, True
        return answer.get("value"), False
    if isinstance(answer, Answered):
        return answer.value, False
    return None, isinstance(answer, Missing)


def answer_number(answer: object) -> tuple[float | None, bool]:
    """(number or None, whether it is a missing code) of an answer, stored or modelled."""
    value, missing = _answer_value(answer)
    if isinstance(value, int | float) and not isinstance(value, bool):  # True is no point
        return float(value), False
    return None, missing


def choice_number(answer: object, index: dict[str, float]) -> tuple[float | None, bool]:
    """(the chosen option's index or None, whether it is a missing code) of a choice answer;
    a code the newest scale does not list has no index (no value)."""
    value, missing = _answer_value(answer)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None, missing
    return index.get(str(value)), False


def rating_parts(rating: Rating) -> Parts:
    """What pairing needs of a Rating."""
    ref = rating.instrument
    updated = rating.updated.isoformat(timespec="microseconds")
    return (
        (ref.id, ref.version, ref.hash),
        rating.status,
        rating.rater,
        rating.session,
        rating.answers,
        updated,
    )


def record_parts(record: Record) -> Parts | None:
    """What pairing needs of a stored rating (the dict `Rating.model_dump(mode="json")`
    gives), read without building a model; None when a part it uses has another form (the
    store then validates the record: `Store.iter_records`)."""
    ref = record.get("instrument")
    if type(ref) is not dict:
        return None
    id_, version, hash_ = ref.get("id"), ref.get("version"), ref.get("hash")
    status, rater, updated = record.get("status"), record.get("rater"), record.get("updated")
    session, answers = record.get("session"), record.get("answers")
    if (
        isinstance(id_, str)
        and isinstance(version, str)
        and isinstance(hash_, str)
        and isinstance(status, str)
        and isinstance(rater, str)
        and isinstance(updated, str)
        and isinstance(session, dict)
        and isinstance(answers, dict)
    ):
        return ((id_, version, hash_), status, rater, session, answers, updated)
    return None


SHARED_ANSWERS = 4096
"""Distinct answers (an item's value or code) `Slim` shares at most; past that it keeps
each rating's own."""
Plan = tuple[tuple[str, str, str], list[str], list[str] | None]
"""A version's reference (one tuple for all its ratings), session key fields, and analysed
items (None: every answer, for the scores)."""


class Slim:
    """A stored rating's parts made small while its month is read (`Store.iter_records`
    keeps what its reader returns until the month is sorted: demo-data puts thousands of
    ratings in a month, tens of thousands at 1M). Kept: the texts of the session key (what
    `pairing` makes of the session fields: `str` of each, "" when absent) as a tuple, the
    update time as `stamp` reads it, and the answers of the items `pairing` analyses, as a
    tuple in the instrument's order (`pairing.analysed_keys`; every answer by key when the
    instrument computes scores from them): an answer `{"value": v}` with v an int, a float
    or a text as v itself, any other one shared object per distinct answer; the reference,
    status, rater and texts shared too (the rater by `sys.intern`, the key texts by a dict of
    this reader's). A rating that `collect` leaves out (not final, another rater) becomes
    `LEFT_OUT`; one of an unknown instrument version is kept whole, so that `collect` says so
    in its own order. `collect` then reads exactly what it would have read."""

    def __init__(
        self,
        instrument_of: Callable[[str, str, str], Instrument | None],
        raters: Collection[str] | None = None,
    ) -> None:
        self._instrument_of = instrument_of
        self._raters = raters
        self._plans: dict[tuple[str, str, str], Plan | None] = {}
        self._shared: dict[tuple[str, type, object], object] = {}
        self._texts: dict[str, str] = {}
        """One object per distinct session key text, gone with this reader: `sys.intern`'s
        table would keep its size (tens of MiB at 1M ratings' sessions) after reading."""

    def __call__(self, parts: Parts) -> Parts:
        ref, status, rater, session, answers, updated = parts
        if status != "final" or (self._raters is not None and rater not in self._raters):
            return LEFT_OUT
        if ref in self._plans:
            plan = self._plans[ref]
        else:
            plan = self._plans[ref] = self._plan(ref)
        if plan is None or type(session) is not dict or type(answers) is not dict:
            return parts
        ref, key_fields, items = plan
        share, get, text = self._share, session.get, self._texts.setdefault
        key = tuple([text(t, t) for t in [str(get(k, "")) for k in key_fields]])
        kept: Answers
        if items is None:
            kept = {k: share(a) for k, a in answers.items()}
        else:
            small = []
            for k in items:
                answer = answers.get(k)
                if type(answer) is dict:
                    value = answer.get("value", answer)  # itself: no value
                    kind = type(value)
                    if len(answer) == 1 and (kind is int or kind is float or kind is str):
                        answer = value  # {"value": v} held as v (`pairing` reads it so)
                    else:
                        answer = share(answer)
                elif answer is not None:
                    return parts  # not the stored form: `collect` reads it whole
                small.append(answer)
            kept = tuple(small)
        when = stamp(updated) if type(updated) is str else updated
        return (ref, "final", intern(rater), key, kept, when)

    def _plan(self, ref: tuple[str, str, str]) -> Plan | None:
        """The version's session key fields and analysed items (None: every answer)."""
        from rating_tui.analysis.pairing import SESSION_ROLES, analysed_keys

        try:
            instrument = self._instrument_of(*ref)
        except Exception:  # noqa: BLE001  # `collect` asks again and reports it in order
            return None
        if instrument is None:
            return None
        roles = [instrument.field_with_role(role) for role in SESSION_ROLES]
        key_fields = [f.key for f in roles if f is not None]
        return ref, key_fields, None if instrument.scores else analysed_keys(instrument)

    def _share(self, answer: object) -> object:
        """One object for every equal answer of one value or code (a dict is only read)."""
        if type(answer) is not dict or len(answer) != 1:
            return answer
        ((name, value),) = answer.items()
        kind = type(value)
        if kind is float and value == 0:  # 0.0 and -0.0 are equal but print apart
            return answer
        if not (kind is int or kind is float or kind is bool or kind is str) or (
            kind is str and len(value) > 64
        ):
            return answer
        key = (name, kind, value)
        found = self._shared.get(key)
        if found is None:
            if len(self._shared) >= SHARED_ANSWERS:
                return answer
            found = self._shared[key] = answer
        return found
