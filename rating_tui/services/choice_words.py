"""The answers of choice items in words, for the dyad report's table of values.

A trajectory lays out the items with a number for a value; a choice has none, so its answers
were left out of the report's table without a word. Each rating's choice answers are kept as
their labels (`chosen_of`) and the report gives them a column each (`session_cells`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rating_tui.instruments.model import (
    Instrument,
    MultipleChoiceScale,
    SingleChoiceScale,
    TextScale,
)
from rating_tui.ratings.model import Answered, Rating


def choice_items(instrument: Instrument) -> list[tuple[str, str]]:
    """(key, label) of the single and multiple choice items, in the instrument's order."""
    choice = SingleChoiceScale | MultipleChoiceScale
    return [
        (i.key, i.label) for i in instrument.items if isinstance(instrument.scale_of(i), choice)
    ]


def text_items(instrument: Instrument) -> list[str]:
    """The labels of the free-text items (in no chart and no table of the report)."""
    return [i.label for i in instrument.items if isinstance(instrument.scale_of(i), TextScale)]


def chosen_of(rating: Rating, instrument: Instrument) -> tuple[tuple[str, str], ...]:
    """(item key, the answer's label or labels) of each answered choice item of `rating`; a
    code the scale does not list is written as it is stored."""
    out = []
    for item in instrument.items:
        scale = instrument.scale_of(item)
        answer = rating.answers.get(item.key)
        if not isinstance(scale, SingleChoiceScale | MultipleChoiceScale):
            continue
        if not isinstance(answer, Answered):
            continue
        labels: dict[object, str] = {c.code: c.label for c in scale.choices}
        codes = answer.value if isinstance(answer.value, list) else [answer.value]
        out.append((item.key, ", ".join(labels.get(c, str(c)) for c in codes)))
    return tuple(out)


def session_cells(
    key: str, raters: Iterable[tuple[Mapping[str, float | str], Mapping[str, str]]]
) -> str:
    """One choice item in one session: the answer of each rater (`(answers, chosen)` of each
    observation), distinct answers joined by " / "; `n/o` or `n/a` for a missing code, `·`
    when no rater answered."""
    said: list[str] = []
    for answers, chosen in raters:
        found = chosen.get(key)
        if found is None:
            code = answers.get(key)
            if isinstance(code, str):
                found = "n/a" if code == "not_applicable" else "n/o"
        if found is not None and found not in said:
            said.append(found)
    return " / ".join(said) if said else "·"
