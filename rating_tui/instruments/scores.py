"""Scores: `[[scores]]`, a mean or sum over items, computed from a rating and never stored.

Missing-data codes (not observed, not applicable) and unanswered or not-asked items never
count as values; with fewer than `min_answered` values there is no score (a blank, not 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from rating_tui.instruments.base import Key, Strict, Text, duplicate_problems

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument

Method = Literal["mean", "sum"]


class Score(Strict):
    """A summary of several items, e.g. the mean of the seven concepts."""

    key: Key
    label: Text
    help: str = ""
    items: list[Key] | None = None
    """Item keys; by default every item on a likert or numeric scale (yes/no items count
    only when listed)."""
    method: Method = "mean"
    min_answered: int | None = Field(default=None, ge=1)
    """Fewest items with a value for a score; by default all of them."""


def numeric_items(ins: Instrument, *, yes_no: bool = False) -> list[str]:
    """Keys of the items whose values are numbers (likert, numeric; yes/no when asked), in
    file order."""
    from rating_tui.instruments.scales import LikertScale, NumericScale, YesNoScale

    kinds: tuple[type, ...] = (LikertScale, NumericScale) + ((YesNoScale,) if yes_no else ())
    out = []
    for item in ins.items:
        if isinstance(item.scale, str) and item.scale not in ins.scales:
            continue  # reported by the reference rules
        if isinstance(ins.scale_of(item), kinds):
            out.append(item.key)
    return out


def score_items(ins: Instrument, score: Score) -> list[str]:
    return list(score.items) if score.items is not None else numeric_items(ins)


def needed(ins: Instrument, score: Score) -> int:
    """How many items need a value for the score to exist."""
    return score.min_answered if score.min_answered is not None else len(score_items(ins, score))


def compute(
    ins: Instrument, score: Score, values: Mapping[str, object]
) -> tuple[int | float | None, int]:
    """(the score or None, how many items had a value), from item values by key (answers
    given as values only: missing codes are simply not in `values`)."""
    found: list[int | float] = []
    for key in score_items(ins, score):
        v = values.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool):
            found.append(v)
    if not found or len(found) < needed(ins, score):
        return None, len(found)
    total = sum(found)
    if score.method == "sum":
        return total, len(found)
    return total / len(found), len(found)


def formula(ins: Instrument, score: Score) -> str:
    """The score in words, for the codebook and the rating detail."""
    keys = score_items(ins, score)
    n = needed(ins, score)
    at_least = "all of them" if n == len(keys) else f"at least {n} of {len(keys)}"
    return (
        f"{score.method} of {', '.join(keys)}; blank unless {at_least} have a value "
        "(missing codes and unanswered items do not count)"
    )


def score_problems(ins: Instrument) -> list[tuple[str, str]]:
    """Score keys unique and distinct from fields and items; items exist and are numeric."""
    out = duplicate_problems([s.key for s in ins.scores], "scores", "key", "score key")
    taken = {f.key for f in ins.fields} | {i.key for i in ins.items}
    numeric = set(numeric_items(ins, yes_no=True))
    all_items = {i.key for i in ins.items}
    for n, score in enumerate(ins.scores):
        where = f"scores[{n}]"
        if score.key in taken:
            out.append(
                (f"{where}.key", f"{score.key!r} is also a field or item key; keys must differ")
            )
        keys: Sequence[str] = score_items(ins, score)
        if not keys:
            out.append((f"{where}.items", "no item to score: the instrument has no numeric item"))
        for k, key in enumerate(score.items or []):
            if key not in all_items:
                out.append((f"{where}.items[{k}]", f"{key!r} is not an item"))
            elif key not in numeric:
                out.append(
                    (
                        f"{where}.items[{k}]",
                        f"{key!r} is not on a numeric scale (likert, numeric or yes_no); "
                        "only numbers can be averaged or added",
                    )
                )
        listed = list(score.items or [])
        out += [
            (f"{where}.items[{k}]", f"{key!r} is listed twice")
            for k, key in enumerate(listed)
            if key in listed[:k]
        ]
        if score.min_answered is not None and keys and score.min_answered > len(keys):
            out.append(
                (
                    f"{where}.min_answered",
                    f"is {score.min_answered}, but the score has only {len(keys)} item(s)",
                )
            )
    return out
