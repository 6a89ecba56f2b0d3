"""What pairing needs of one rating, read from a Rating or straight from its stored record.

`record_parts` takes the stored dict (`Store.iter_records`) without building a model, checking
cheaply only what it uses; `rating_parts` takes a Rating. The answers are then read by
`answer_number` and `choice_number` (a value, or whether the item was coded not observed /
not applicable), and a rating's update time by `stamp`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rating_tui.ratings.model import Answered, Missing, Rating

Record = Mapping[str, Any]
"""A stored rating, as `Rating.model_dump(mode="json")` gives it (`Store.iter_records`)."""
Parts = tuple[tuple[str, str, str], str, str, Mapping[str, object], Mapping[str, object], str]
"""(instrument id, version, hash), status, rater, session fields, answers, updated (ISO)."""
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


def answer_number(answer: object) -> tuple[float | None, bool]:
    """(number or None, whether it is a missing code) of an answer, stored or modelled."""
    if type(answer) is dict:  # {"value": v} or {"missing": code}: the stored form
        if "missing" in answer:
            return None, True
        value = answer.get("value")
    elif isinstance(answer, Answered):
        value = answer.value
    else:
        return None, isinstance(answer, Missing)
    if isinstance(value, int | float) and not isinstance(value, bool):  # True is no point
        return float(value), False
    return None, False


def choice_number(answer: object, index: dict[str, float]) -> tuple[float | None, bool]:
    """(the chosen option's index or None, whether it is a missing code) of a choice answer;
    a code the newest scale does not list has no index (no value)."""
    if type(answer) is dict:
        if "missing" in answer:
            return None, True
        value = answer.get("value")
    elif isinstance(answer, Answered):
        value = answer.value
    else:
        return None, isinstance(answer, Missing)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None, False
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
