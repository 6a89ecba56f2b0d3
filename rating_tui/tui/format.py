"""Short text forms of ratings for lists and tables (plain functions, no widgets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from rating_tui.instruments.catalogue import Catalogue
from rating_tui.instruments.model import Instrument, Role, Scale, SessionField
from rating_tui.ratings.model import Answered, Missing, Rating, RatingContent, Value
from rating_tui.ratings.shown import ScoreResult, not_asked
from rating_tui.safetext import escape
from rating_tui.tui.home_glance import line_text
from rating_tui.views.instrument_view import scale_points

if TYPE_CHECKING:
    from rating_tui.store.api import Store
    from rating_tui.store.tally import Tally


def instrument_of(
    catalogue: Catalogue, rating: Rating, store: Store | None = None
) -> Instrument | None:
    """The instrument version a rating was made with: the file found, or (when it is lost or
    was edited without a new version) the copy `store` keeps of the exact content."""
    try:
        loaded = catalogue.get(rating.instrument.ref)
    except LookupError:
        loaded = None
    if loaded is not None and loaded.content_hash == rating.instrument.hash:
        return loaded.instrument
    kept = store.kept_instrument(rating.instrument.hash) if store is not None else None
    if kept is not None:
        return kept
    return loaded.instrument if loaded is not None else None


def session_value(rating: Rating, instrument: Instrument | None, role: Role) -> str:
    """The value of the session field with `role` (dyad, session_date...) as text."""
    key = instrument.key_for(role) if instrument is not None else None
    value = rating.session.get(key) if key else None
    return "" if value is None else str(value)


def progress(rating: Rating, instrument: Instrument | None) -> tuple[int, int]:
    """(required items answered or coded, required items asked)."""
    if instrument is None:
        return (len(rating.answers), len(rating.answers))
    hidden = not_asked(instrument, rating)
    required = [i for i in instrument.items if i.required and i.key not in hidden]
    done = sum(1 for i in required if i.key in rating.answers)
    return done, len(required)


def score_text(result: ScoreResult) -> str:
    """A computed score as shown in the review and the rating detail."""
    return result.text


def answer_text(answer: Answered | Missing | None, codes: dict[str, str]) -> str:
    """An answer as shown in lists: the value, the missing code's label, or a dash."""
    if answer is None:
        return "–"
    if isinstance(answer, Missing):
        return codes.get(answer.missing, answer.missing)
    value = answer.value
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def labelled_answer(
    answer: Answered | Missing | None, scale: Scale | None, codes: dict[str, str]
) -> str:
    """An answer with its scale's words: `2 Moderate`, `Low`, `Play, Feed`, `Not observed`."""
    labels = dict(scale_points(scale)) if scale is not None else {}
    if not isinstance(answer, Answered) or not labels:
        return answer_text(answer, codes)
    if isinstance(answer.value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in answer.value)
    label = labels.get(str(answer.value))
    if label and isinstance(answer.value, str):
        return label  # a choice code is a name, not a point: `Low`, not `low Low`
    return f"{answer.value} {label}" if label else str(answer.value)


def labelled_field_value(value: Value, field: SessionField | None) -> str:
    """A session answer with its choices' labels (`Home visit`, `Mother, Infant`)."""
    labels = {str(c.code): c.label for c in field.choices} if field is not None else {}
    values = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(v), str(v)) for v in values)


def rating_line(rating: Rating, catalogue: Catalogue, store: Store | None = None) -> Text:
    """One line: dyad, session number, date, rater, progress or status. The instrument
    version is the file found or the copy `store` keeps (without either, the line said
    "(no dyad yet)" of a rating that has one)."""
    ins = instrument_of(catalogue, rating, store)
    return line_text(
        escape(session_value(rating, ins, "dyad")),
        session_value(rating, ins, "session_number"),
        escape(session_value(rating, ins, "session_date")),
        escape(rating.rater),
        rating.status,
        progress(rating, ins),
    )


def changes(before: RatingContent, after: RatingContent, instrument: Instrument | None) -> str:
    """What a revision changed, in the instrument's words: `Narration of the experience
    3 -> 4; Session number 2 -> 3; notes`."""
    codes = {c.code: c.label for c in instrument.missing_codes} if instrument else {}
    out = []
    items = {i.key: i for i in instrument.items} if instrument else {}
    for key in dict.fromkeys([*items, *before.answers, *after.answers]):
        old, new = before.answers.get(key), after.answers.get(key)
        if old != new:
            label = items[key].label if key in items else key
            out.append(f"{label} {answer_text(old, codes)} -> {answer_text(new, codes)}")
    fields = {f.key: f.label for f in instrument.fields} if instrument else {}
    for key in dict.fromkeys([*before.session, *after.session]):
        old_value, new_value = before.session.get(key), after.session.get(key)
        if old_value != new_value:
            shown = ["–" if v is None else str(v) for v in (old_value, new_value)]
            out.append(f"{fields.get(key, key)} {shown[0]} -> {shown[1]}")
    if before.now_moments != after.now_moments:
        out.append(f"now moments ({len(before.now_moments)} -> {len(after.now_moments)})")
    if before.notes != after.notes:
        out.append("notes")
    if before.status != after.status:
        out.append(f"status {before.status} -> {after.status}")
    return "; ".join(out) or "no change in content"


def lost_line(tally: Tally) -> str | None:
    """What a screen's list leaves out when the folder lost ratings (`Tally.missing`), with
    the counts; None when the read rests on every rating the folder counts."""
    if tally.unchecked is not None:
        return f"Warning: {tally.unchecked}; run rating-tui doctor."
    short = tally.shortfall(3)
    if short is None:
        return None
    return (
        f"Warning: {short[0]:,} stored rating(s) not found in their month files "
        f"({short[1]}): they cannot be shown here; run rating-tui doctor."
    )
