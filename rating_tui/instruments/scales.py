"""Scales of the instrument format: likert, numeric (typed or stepped), yes/no, single and
multiple choice, free text. Each knows which values it allows, so anchors and answers can be
checked."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from rating_tui.instruments.base import Code, Strict, Text, _no_duplicates


def read_as(label: str) -> str:
    """A label as a rater tells it apart (case and runs of spaces aside)."""
    return " ".join(label.split()).casefold()


def _same_labels(labelled: Iterable[tuple[str, str]], what: str) -> None:
    """Refuse two points or choices that read the same: a rater could not tell them apart on
    screen, nor a reader in an export's value labels."""
    seen: dict[str, str] = {}
    for value, label in labelled:
        if read_as(label) in seen:
            raise ValueError(
                f"{what} {seen[read_as(label)]} and {value} both read {label.strip()!r}; "
                "each label must differ, or a rater cannot tell them apart"
            )
        seen[read_as(label)] = value


def _last_step(low: float, high: float, step: float) -> str:
    """The highest value of min + k * step not above max, as written (decimal arithmetic)."""
    start, size = Decimal(str(low)), Decimal(str(step))
    return str(start + ((Decimal(str(high)) - start) // size) * size)


class Point(Strict):
    """One labelled point of a likert scale."""

    value: int
    label: Text


class Choice(Strict):
    """One option of a choice scale or choice session field."""

    code: Code
    label: Text


class LikertScale(Strict):
    """k labelled integer points, e.g. 0-4 from "absent" to "central to the session"."""

    type: Literal["likert"]
    points: list[Point] = Field(min_length=2, max_length=11)

    @field_validator("points")
    @classmethod
    def _unique_values(cls, points: list[Point]) -> list[Point]:
        _no_duplicates([p.value for p in points], "point value")
        _same_labels([(str(p.value), p.label) for p in points], "points")
        return points

    def allowed(self) -> list[str]:
        return [str(p.value) for p in self.points]


class NumericScale(Strict):
    """A number between min and max in steps of `step` (e.g. 0-100), typed or stepped."""

    type: Literal["numeric"]
    min: int | float
    max: int | float
    step: int | float = 1
    min_label: str = ""
    max_label: str = ""

    @model_validator(mode="after")
    def _range(self) -> NumericScale:
        for name in ("min", "max", "step"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number, found {getattr(self, name)}")
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.min == self.max:
            raise ValueError(f"the scale is empty: min and max are both {self.min}")
        if self.step <= 0:
            raise ValueError(f"step must be greater than 0, found {self.step}")
        if not self.contains(self.max):
            try:
                last = _last_step(self.min, self.max, self.step)
            except InvalidOperation:
                raise ValueError(
                    f"steps of {self.step} from {self.min} to {self.max} are too many to count "
                    "(over 28 digits): give a coarser step or a narrower range"
                ) from None
            raise ValueError(
                f"max ({self.max}) is not min ({self.min}) plus a whole number of steps "
                f"({self.step}): the last value a rater can give would be {last}, so max "
                f"{'and its label ' if self.max_label else ''}could never be rated; make "
                "max - min a multiple of step"
            )
        return self

    def contains(self, value: float) -> bool:
        """True when `value` lies in [min, max] on a step (decimal arithmetic, no float drift)."""
        if not self.min <= value <= self.max:
            return False
        try:
            offset = Decimal(str(value)) - Decimal(str(self.min))
            return offset % Decimal(str(self.step)) == 0
        except InvalidOperation:  # beyond decimal precision: no point is that fine
            return False


class YesNoScale(Strict):
    """Yes (stored as 1) or no (stored as 0)."""

    type: Literal["yes_no"]
    yes_label: Text = "Yes"
    no_label: Text = "No"

    def allowed(self) -> list[str]:
        return ["1", "0"]


class _ChoiceScale(Strict):
    choices: list[Choice] = Field(min_length=1)

    @field_validator("choices")
    @classmethod
    def _unique_codes(cls, choices: list[Choice]) -> list[Choice]:
        _no_duplicates([str(c.code) for c in choices], "choice code")
        _same_labels([(str(c.code), c.label) for c in choices], "choices")
        return choices

    def allowed(self) -> list[str]:
        return [str(c.code) for c in self.choices]


class SingleChoiceScale(_ChoiceScale):
    """Exactly one of several labelled options."""

    type: Literal["single_choice"]


class MultipleChoiceScale(_ChoiceScale):
    """Any number of several labelled options (REDCap's checkbox)."""

    type: Literal["multiple_choice"]


class TextScale(Strict):
    """Free text, for example a short justification."""

    type: Literal["text"]
    max_length: int = Field(default=2000, ge=1, le=100_000)
    multiline: bool = False


Scale = Annotated[
    LikertScale | NumericScale | YesNoScale | SingleChoiceScale | MultipleChoiceScale | TextScale,
    Field(discriminator="type"),
]
