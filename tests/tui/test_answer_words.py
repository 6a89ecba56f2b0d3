"""Answers in words as review, detail and history show them: a choice by its label alone
(`Low`, not `low Low`), a scale point with its number and label."""

from __future__ import annotations

from rating_tui.instruments.scales import LikertScale, SingleChoiceScale
from rating_tui.ratings.model import Answered, Missing
from rating_tui.tui.format import labelled_answer


def test_a_choice_is_its_label_and_a_point_its_number_and_label() -> None:
    choice = SingleChoiceScale.model_validate(
        {"type": "single_choice", "choices": [{"code": "low", "label": "Low"}]}
    )
    likert = LikertScale.model_validate(
        {
            "type": "likert",
            "points": [{"value": 0, "label": "Absent"}, {"value": 2, "label": "Moderate"}],
        }
    )
    codes = {"not_observed": "Not observed"}
    assert labelled_answer(Answered(value="low"), choice, codes) == "Low"
    assert labelled_answer(Answered(value=2), likert, codes) == "2 Moderate"
    assert labelled_answer(Missing(missing="not_observed"), likert, codes) == "Not observed"
