"""The instrument format: what a researcher may write in an instrument TOML file.

Every model forbids unknown keys, so a typo (`requird = true`) is an error rather than a
silently ignored line. Rules that need more than one field (anchors inside their scale, item
keys unique, now-moment tags naming items) live in `Instrument`'s validators, so that they run
whoever builds an instrument: the loader, the REDCap importer or a test.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from rating_tui.instruments.alerts import AlertRule
from rating_tui.instruments.base import (
    KEY_PATTERN,
    Code,
    Key,
    ReferenceProblems,
    Strict,
    Text,
    duplicate_problems,
    listing,
    shortest_match,
)
from rating_tui.instruments.conditions import Condition
from rating_tui.instruments.origin import Redcap
from rating_tui.instruments.scales import (
    Choice,
    LikertScale,
    MultipleChoiceScale,
    NumericScale,
    Point,
    Scale,
    SingleChoiceScale,
    TextScale,
    YesNoScale,
    read_as,
)
from rating_tui.instruments.scores import Score

__all__ = [  # the format's whole vocabulary, importable from here (scales live in scales.py)
    "FORMAT_VERSION",
    "KEY_PATTERN",
    "SEMVER_PATTERN",
    "Choice",
    "Code",
    "Condition",
    "FieldType",
    "Instrument",
    "Item",
    "Key",
    "LikertScale",
    "MissingCode",
    "MultipleChoiceScale",
    "NowMoments",
    "NumericScale",
    "Point",
    "ReferenceProblems",
    "Role",
    "Scale",
    "Score",
    "Section",
    "SessionField",
    "SingleChoiceScale",
    "Strict",
    "Text",
    "TextScale",
    "YesNoScale",
]

FORMAT_VERSION = 1
"""Version of the file format itself (not of an instrument). Bumped only on breaking changes."""

SEMVER_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)

# --- session fields ---------------------------------------------------------------------------

Role = Literal["dyad", "session_date", "session_number", "rater"]
"""What a session field means to the program (which field identifies the dyad, and so on)."""

FieldType = Literal["text", "date", "integer", "number", "single_choice", "multiple_choice"]
"""The same names as the scale types where they mean the same thing."""


KEPT = {"kept": True}
"""Validation context of an instrument copy kept in a data folder
(`Instrument.model_validate_json(raw, context=KEPT)`): ratings were made with it, so checks
added since it was written that only refuse what an instrument file should not say (a default
its own field refuses, a pattern no answer of max_length fits, a drop of part of a point on a
whole-point scale) do not lock its ratings out; `instruments validate` and the loader of
instrument files still apply them."""


def is_kept(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and info.context.get("kept") is True


class SessionField(Strict):
    """A question asked before the items: dyad code, date, setting, who was present..."""

    key: Key
    label: Text
    type: FieldType
    role: Role | None = None
    help: str = ""
    required: bool = True
    pattern: str | None = None
    """For text: a regular expression the whole answer must match (keeps names out of codes)."""
    pattern_hint: str = ""
    """For text: the pattern in words, shown when an answer does not match."""
    max_length: int = Field(default=200, ge=1, le=10_000)
    min: int | float | None = None
    max: int | float | None = None
    choices: list[Choice] = Field(default=[])
    default: str | int | float | list[int | str] | None = None
    """A default answer; "today" for dates; "next" for the session number (last + 1)."""
    show_if: Condition | None = None
    """Asked only when this holds (see conditions.py); otherwise no answer is allowed."""
    redcap: Redcap | None = None
    """The REDCap field type and validation it was imported with (written back on export)."""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from exc
        return pattern

    @field_validator("default", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        """Accept an unquoted TOML date (`default = 2026-01-31`) as the ISO text it spells."""
        return value.isoformat() if isinstance(value, date) else value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> SessionField:
        problems: list[tuple[str, str]] = []
        kept = is_kept(info)
        choice_type = self.type in ("single_choice", "multiple_choice")
        if choice_type and not self.choices:
            problems.append(("choices", f"a {self.type} field needs at least one choice"))
        if not choice_type and self.choices:
            problems.append(("choices", f"only choice fields have choices, not {self.type}"))
        codes = [str(c.code) for c in self.choices]
        problems += duplicate_problems(codes, "choices", "code", "code")
        seen: dict[str, str] = {}
        for n, c in enumerate(self.choices):
            if read_as(c.label) in seen:
                problems.append(
                    (
                        f"choices[{n}].label",
                        f"choices {seen[read_as(c.label)]} and {c.code} both read "
                        f"{c.label.strip()!r}; each label must differ, or a rater cannot tell "
                        "them apart",
                    )
                )
            seen.setdefault(read_as(c.label), str(c.code))
        if self.pattern is not None and self.type != "text":
            problems.append(("pattern", f"only text fields have a pattern, not {self.type}"))
        if self.pattern_hint and self.pattern is None:
            problems.append(("pattern_hint", "describes a pattern, but the field has none"))
        for name in ("min", "max"):
            bound = getattr(self, name)
            if bound is not None and not math.isfinite(bound):
                problems.append((name, f"expected a finite number, found {bound}"))
            elif bound is not None and self.type not in ("integer", "number"):
                problems.append((name, f"only integer and number fields have {name}"))
            elif self.type == "integer" and bound is not None and type(bound) is not int:
                problems.append(
                    (name, f"expected a whole number for an integer field, found {bound}")
                )
        if self.min is not None and self.max is not None and self.min > self.max:
            problems.append(("min", f"min ({self.min}) is greater than max ({self.max})"))
        if self.pattern is not None and self.type == "text" and not kept:
            shortest = shortest_match(self.pattern)
            if shortest is not None and shortest > self.max_length:
                problems.append(
                    (
                        "max_length",
                        f"{self.max_length} is shorter than any answer the pattern accepts "
                        f"(each has at least {shortest} characters), so no answer could be "
                        f"given; make max_length at least {shortest}",
                    )
                )
        if self.default is not None and (problem := self._default_problem(self.default, kept)):
            problems.append(("default", f"{problem}, found {self.default!r}"))
        if problems:
            raise ReferenceProblems(problems)
        return self

    def _default_problem(self, d: object, kept: bool = False) -> str | None:
        """Why `d` cannot be this field's default, or None when it can (`kept`: only what
        the app cannot read, see `is_kept`)."""
        codes = [c.code for c in self.choices]
        if self.type == "date":
            if d == "today":
                return None
            try:
                date.fromisoformat(str(d))
            except ValueError:
                return 'expected "today" or a date like "2026-01-31"'
        elif self.type in ("integer", "number"):
            if d == "next":
                return (
                    None
                    if self.role == "session_number"
                    else ('"next" is only for the field with role = "session_number"')
                )
            if self.type == "integer" and type(d) is not int:
                return "expected a whole number"
            if not isinstance(d, int | float) or isinstance(d, bool):
                return "expected a number"
            if (self.min is not None and d < self.min) or (self.max is not None and d > self.max):
                return f"expected a value from {self.min} to {self.max}"
        elif self.type == "single_choice" and d not in codes:
            return f"expected one of the choice codes ({listing(codes)})"
        elif self.type == "multiple_choice" and (
            not isinstance(d, list) or any(x not in codes for x in d)
        ):
            return f"expected a list of choice codes ({listing(codes)})"
        elif self.type == "multiple_choice" and isinstance(d, list) and len(set(d)) < len(d):
            if kept:
                return None
            twice = sorted({str(x) for x in d if d.count(x) > 1})
            return f"lists {listing(twice)} more than once; name each choice once"
        elif self.type == "text":
            return self._text_default_problem(d, kept)
        return None

    def _text_default_problem(self, d: object, kept: bool) -> str | None:
        """A text default the field itself would refuse: too long, or off its pattern (it
        was shown pre-filled, and refused only when the rater went on; not asked of a kept
        copy, see `KEPT`)."""
        if not isinstance(d, str):
            return "expected text"
        if kept:
            return None
        if len(d) > self.max_length:
            return f"expected at most {self.max_length} characters (max_length)"
        if self.pattern is not None and re.fullmatch(self.pattern, d) is None:
            return f"expected an answer the field's pattern accepts ({self.pattern})"
        return None


# --- items, codes, sections, now moments ------------------------------------------------------


class MissingCode(Strict):
    """A reason for no value, kept apart from "not answered" all the way into the export
    (REDCap's missing-data codes): e.g. not observed in this session, not applicable."""

    code: Key
    label: Text
    export_value: int | str
    """What the export writes in the item's column, e.g. -9 or "NO"."""


class Section(Strict):
    """An optional heading that groups items."""

    key: Key
    title: Text
    description: str = ""


class Item(Strict):
    """One thing the rater rates, with its definition and an anchor for scale points."""

    key: Key
    label: Text
    help: str = ""
    """The definition shown while the rater decides."""
    scale: Key | Scale
    """The name of a scale in [scales], or a scale written inline."""
    anchors: dict[str, Text] = Field(default={})
    """What each scale point means for this item, keyed by the point's value (or choice code)."""
    required: bool = True
    missing_codes: list[Key] = Field(default=[])
    """Which of the instrument's missing codes the rater may give instead of a value."""
    section: Key | None = None
    show_if: Condition | None = None
    """Asked only when this holds (see conditions.py); otherwise no answer is allowed."""
    redcap: Redcap | None = None
    """The REDCap field type and validation it was imported with (written back on export)."""


class NowMoments(Strict):
    """The now-moments log: small unplanned moments in which mother and clinician meet anew."""

    enabled: bool = True
    prompt: str = ""
    tags: list[Key] | None = None
    """Item keys a moment can be tagged with; by default every item."""
    max_length: int = Field(default=1000, ge=1, le=100_000)


class Instrument(Strict):
    """A complete, validated instrument version. Build it with `loader.load_instrument`."""

    format: Literal[1] = 1
    """Version of the file format (see FORMAT_VERSION)."""
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{0,62}$")]
    version: Annotated[str, Field(pattern=SEMVER_PATTERN)]
    title: Text
    description: str = ""
    authors: list[str] = Field(default=[])
    citation: str = ""
    licence: str = ""
    language: str = "en"
    fields: list[SessionField] = Field(min_length=1)
    scales: dict[Key, Scale] = Field(default={})
    missing_codes: list[MissingCode] = Field(default=[])
    sections: list[Section] = Field(default=[])
    items: list[Item] = Field(min_length=1)
    now_moments: NowMoments = Field(default_factory=lambda: NowMoments(enabled=False))
    scores: list[Score] = Field(default=[])
    """Computed from the answers (see scores.py), never stored."""
    alerts: list[AlertRule] = Field(default=[])
    """When a dyad needs attention (see `instruments.alerts`); no rules, no alerts."""

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Instrument:
        from rating_tui.instruments.rules import reference_problems

        problems = reference_problems(self, kept=is_kept(info))
        if problems:
            raise ReferenceProblems(problems)
        return self

    def scale_of(self, item: Item) -> Scale:
        """The item's scale, resolving a reference to [scales] (checked at validation)."""
        return self.scales[item.scale] if isinstance(item.scale, str) else item.scale

    def field_with_role(self, role: Role) -> SessionField | None:
        return next((f for f in self.fields if f.role == role), None)

    def key_for(self, role: Role) -> str | None:
        """The key of the session field with `role`, e.g. where the dyad code is stored."""
        f = self.field_with_role(role)
        return f.key if f else None

    @property
    def ref(self) -> str:
        """`id@version`, the way commands name one version."""
        return f"{self.id}@{self.version}"

    @property
    def moment_tags(self) -> list[str]:
        """Item keys a now moment can be tagged with."""
        if not self.now_moments.enabled:
            return []
        return (
            list(self.now_moments.tags)
            if self.now_moments.tags is not None
            else [i.key for i in self.items]
        )
