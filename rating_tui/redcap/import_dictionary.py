"""A REDCap data dictionary turned into an instrument file that our loader validates.

Each REDCap field becomes an item (radio and dropdown: single choice; checkbox: multiple
choice; yesno, truefalse; slider: 0-100; text with a number validation and a range: numeric;
text, notes: free text); dates and unbounded numbers become session fields; the session
fields every rating needs (dyad, date, number, rater) are added. Descriptive text becomes a
section, a styled sub-label goes into help, simple branching logic becomes `show_if`, a mean
or sum of number items a score, and each field's REDCap type and validation is kept in its
`redcap` annotation. What has no equivalent (other calculations, file and sql fields, other
branching logic) is named in the warnings, never dropped in silence. A dictionary written
by `export-redcap` carries the rest of its instrument in `@RATING-TUI` annotations and
comes back the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.inputs import decode_text, read_bounded
from rating_tui.instruments.loader import parse_instrument, validate_data
from rating_tui.instruments.model import KEY_PATTERN
from rating_tui.instruments.problems import InstrumentError, Problem
from rating_tui.redcap.dictionary import (
    Row,
    annotation_data,
    code_value,
    parse_choices,
    read_rows,
    strip_html,
)
from rating_tui.redcap.fidelity import (
    LINE_BREAK,
    origin,
    place_conditions,
    split_label,
    usable_scores,
)
from rating_tui.redcap.logic import read_branching, read_calculation
from rating_tui.redcap.toml_writer import dumps

NOT_CARRIED = {"calc": "calculated field", "file": "file upload", "sql": "SQL field"}
KNOWN_TYPES = {"text", "notes", "radio", "dropdown", "checkbox", "yesno", "truefalse", "slider"}
ROLE_FIELDS: list[dict[str, Any]] = [
    {"key": "dyad", "label": "Dyad code", "type": "text", "role": "dyad"},
    {"key": "session_date", "label": "Session date", "type": "date", "role": "session_date",
     "default": "today"},
    {"key": "session_number", "label": "Session number", "type": "integer",
     "role": "session_number", "min": 1, "required": False},
    {"key": "rater", "label": "Rater", "type": "text", "role": "rater"},
]  # fmt: skip

_ROLE_KEYS = {f["key"] for f in ROLE_FIELDS}

MAX_BYTES = 5_000_000
"""A data dictionary of a few hundred fields is some 100 kB; REDCap's largest are a few MB."""


DEFAULT_VERSION = "1.0.0"
"""The version of an instrument imported from a dictionary that names none."""


def read_dictionary(path: Path) -> str:
    """The dictionary's text: a regular file of at most `MAX_BYTES`, UTF-8 (`InputRefused`
    otherwise, with the reason in words)."""
    expected = "a REDCap data dictionary (.csv)"
    data = read_bounded(path, MAX_BYTES, what="a data dictionary", expected=expected)
    return decode_text(data, str(path), "a CSV file")


@dataclass
class Imported:
    """The instrument file's text, and what could not be carried over."""

    toml: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class _State:
    file: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)

    def problem(self, row: Row, message: str) -> None:
        self.problems.append(Problem(self.file, f"{row.name or 'row'}: {message}", line=row.line))

    def warn(self, row: Row, message: str) -> None:
        self.warnings.append(f"line {row.line}, {row.name}: {message}")


def import_dictionary(
    text: str,
    file: str = "<dictionary>",
    *,
    instrument_id: str | None = None,
    version: str | None = None,
    form: str | None = None,
) -> Imported:
    """Convert dictionary CSV `text`; `InstrumentError` lists every malformed row by line.
    `version` and `instrument_id`, when given, are taken over what a dictionary written by
    rating-tui carries (a given --version was dropped without a word); without them, its own,
    else version 1.0.0 and the form's name."""
    rows, problems = read_rows(text, file)
    if not rows:
        raise InstrumentError(problems or [Problem(file, "has no fields")])
    state = _State(file, problems)
    top = annotation_data(rows[0].annotation)
    base: dict[str, Any] = dict(top["instrument"]) if top and "instrument" in top else {}
    rows = _select_form(rows[1:], form, state)  # the first field is REDCap's record id
    seen: set[str] = set()
    role_labels: dict[str, str] = {}
    for row in rows:
        if row.name in seen:
            state.problem(row, "is defined twice")
        seen.add(row.name)
        if not base and row.name in _ROLE_KEYS:  # e.g. a `dyad` field: it is that role
            role_labels[row.name] = strip_html(row.label) or row.name
            continue
        if not re.match(KEY_PATTERN, row.name):
            state.problem(row, "is not a usable name: lower-case letters, digits and _, "
                          "starting with a letter, at most 63 characters")  # fmt: skip
            continue
        _convert(row, state)
    if state.problems:
        raise InstrumentError(sorted(state.problems, key=lambda p: p.line or 0))
    if not base:
        taken = {f["key"] for f in state.fields} | {i["key"] for i in state.items}
        roles = [
            f | {"key": _free(f["key"], taken), "label": role_labels.get(f["key"], f["label"])}
            for f in ROLE_FIELDS
        ]
        state.fields = roles + state.fields
        name = (form or (rows[0].form if rows else "")) or "redcap"
        base = {"id": instrument_id or name.lower(), "title": name.replace("_", " ").capitalize()}
        base["sections"] = state.sections
        if scores := usable_scores(state.scores, state.items, state.lines, state.warnings):
            base["scores"] = scores
    own = base.get("version", DEFAULT_VERSION) if top else DEFAULT_VERSION
    base |= {"version": own if version is None else version}
    if instrument_id is not None:
        base["id"] = instrument_id
    place_conditions(state.fields, state.items)
    data = base | {"fields": state.fields, "items": state.items}
    try:
        instrument = validate_data(data, "", file)
    except InstrumentError as exc:
        raise InstrumentError([_locate(p, state) for p in exc.problems]) from None
    content = instrument.model_dump(mode="json", exclude_defaults=True)
    header = f"# Imported from the REDCap data dictionary {file} by rating-tui.\n"
    notes = "".join(f"# not carried: {w}\n" for w in state.warnings)
    result = header + notes + "\n" + dumps(content)
    parse_instrument(result, file)  # what we write must load
    return Imported(result, state.warnings)


def _free(key: str, taken: set[str]) -> str:
    while key in taken:
        key = f"session_{key}"
    return key


def _select_form(rows: list[Row], form: str | None, state: _State) -> list[Row]:
    forms = list(dict.fromkeys(r.form for r in rows))
    if form is not None:
        if form not in forms:
            raise InstrumentError([Problem(state.file, f"has no form {form!r} (forms: "
                                           f"{', '.join(forms)})")])  # fmt: skip
        return [r for r in rows if r.form == form]
    if len(forms) > 1:
        raise InstrumentError([Problem(state.file, f"has {len(forms)} forms ({', '.join(forms)}):"
                                       " choose one with --form NAME")])  # fmt: skip
    return rows


def _locate(problem: Problem, state: _State) -> Problem:
    """Add the dictionary line to a validation problem about an item or field."""
    match = re.match(r"(items|fields)\[(\d+)\]", problem.path)
    if match:
        table = state.items if match.group(1) == "items" else state.fields
        n = int(match.group(2))
        if n < len(table) and table[n]["key"] in state.lines:
            return Problem(problem.file, problem.message, problem.path,
                           state.lines[table[n]["key"]])  # fmt: skip
    return problem


def _choices(row: Row, state: _State) -> list[dict[str, Any]]:
    out = []
    for part in parse_choices(row.choices):
        if isinstance(part, str):
            state.problem(row, f"choice {part!r} is not written 'code, label'")
        else:
            out.append({"code": code_value(part[0]), "label": part[1] or part[0]})
    if not out:
        state.problem(row, f"a {row.type} field needs choices written '1, Label | 2, Label'")
    return out


def _convert(row: Row, state: _State) -> None:
    """Add the row as an item or a session field, or warn about what it loses."""
    if row.type == "descriptive":
        _descriptive(row, state)
        return
    if row.type == "calc":
        _calculated(row, state)
        return
    if row.type in NOT_CARRIED:
        state.warn(row, f"{NOT_CARRIED[row.type]} not carried")
        return
    if row.type not in KNOWN_TYPES:
        state.problem(row, f"unknown field type {row.type!r} (REDCap types: "
                      f"{', '.join(sorted(KNOWN_TYPES | set(NOT_CARRIED)))})")  # fmt: skip
        return
    if row.identifier == "y":
        state.warn(row, "marked as an identifier: keep identifying data out of ratings")
    state.lines[row.name] = row.line
    label, sub_label = split_label(row.label)
    label = label or row.name
    help_text = "\n\n".join(t for t in (sub_label, strip_html(row.note)) if t)
    required = row.required == "y"
    extras = annotation_data(row.annotation) or {}
    if "field" in extras:  # our own export: the condition is in the annotation
        state.fields.append(_edited(extras["field"], label, help_text, required))
        return
    show_if = _branching(row, state) if row.branching and "item" not in extras else None
    section = _section(row, state)
    scale = _scale(row, state, help_text, label, required)
    if scale is None:
        return
    item: dict[str, Any] = {"key": row.name, "label": label, "help": help_text, "scale": scale,
                            "required": required}  # fmt: skip
    if "item" in extras:
        item = _edited(extras["item"], label, help_text, required)
    else:
        if section is not None:
            item["section"] = section
        if show_if is not None:
            item["show_if"] = show_if
        if found := origin(row):
            item["redcap"] = found
    state.items.append(item)


def _branching(row: Row, state: _State) -> dict[str, Any] | None:
    found = read_branching(row.branching)
    if found is None:
        state.warn(row, f"branching logic not carried ({row.branching}); always shown")
    return found


def _descriptive(row: Row, state: _State) -> None:
    """Descriptive text becomes a section: its first line the title, all of it the
    description; the items after it belong to it."""
    text = strip_html(row.label)
    if not text:
        return
    title = LINE_BREAK.split(row.label, maxsplit=1)[0]
    title = strip_html(title) or text
    title = title if len(title) <= 80 else title[:79] + "…"
    key = re.sub(r"[^a-z0-9_]+", "_", row.name.lower()).strip("_") or "section"
    while any(s["key"] == key for s in state.sections):
        key += "_2"
    state.sections.append({"key": key, "title": title, "description": text})


def _calculated(row: Row, state: _State) -> None:
    """A calculated field: our own score (annotation), a mean or sum of fields (a score,
    counted when at least one has a value, as REDCap does), or not carried."""
    extras = annotation_data(row.annotation) or {}
    if "score" in extras:
        return  # our own export: the instrument annotation holds every score
    found = read_calculation(row.choices)
    if found is None:
        state.warn(row, f"calculated field not carried ({row.choices})")
        return
    method, keys = found
    state.lines[row.name] = row.line
    label = strip_html(row.label) or row.name
    state.scores.append(
        {"key": row.name, "label": label, "items": keys, "method": method, "min_answered": 1}
    )


def _edited(saved: dict[str, Any], label: str, help_text: str, required: bool) -> dict[str, Any]:
    """The annotation's field or item, with what was edited in REDCap's own columns (compared
    as stripped text, so unchanged text keeps its original line breaks)."""
    out = dict(saved) | {"required": required}
    if strip_html(str(saved.get("label", ""))) != label:
        out["label"] = label
    if strip_html(str(saved.get("help", ""))) != help_text:
        out["help"] = help_text
    return out


def _section(row: Row, state: _State) -> str | None:
    title = strip_html(row.section)
    if title:
        key = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40] or "section"
        key = key if key[0].isalpha() else f"s_{key}"
        while any(s["key"] == key for s in state.sections):
            key += "_2"
        state.sections.append({"key": key, "title": title})
    return state.sections[-1]["key"] if state.sections else None


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


def _scale(row: Row, state: _State, help_text: str, label: str, required: bool) -> Any:
    kind = row.type
    if kind in ("radio", "dropdown", "checkbox"):
        choices = _choices(row, state)
        return {"type": "multiple_choice" if kind == "checkbox" else "single_choice",
                "choices": choices}  # fmt: skip
    if kind == "yesno":
        return {"type": "yes_no"}
    if kind == "truefalse":
        return {"type": "yes_no", "yes_label": "True", "no_label": "False"}
    low, high = _number(row.min), _number(row.max)
    if kind == "slider":
        labels = [strip_html(x) for x in row.choices.split("|")]
        if len(labels) == 3 and labels[1]:
            state.warn(row, f"the slider's middle label {labels[1]!r} not carried")
        scale: dict[str, Any] = {"type": "numeric", "min": 0 if low is None else low,
                                 "max": 100 if high is None else high}  # fmt: skip
        if labels and labels[0]:
            scale["min_label"] = labels[0]
        if len(labels) > 1 and labels[-1]:
            scale["max_label"] = labels[-1]
        return scale
    if kind == "text" and row.validation in ("integer", "number"):
        if low is not None and high is not None:
            return {"type": "numeric", "min": low, "max": high,
                    "step": 1 if row.validation == "integer" else 0.01}  # fmt: skip
        state.fields.append({"key": row.name, "label": label, "help": help_text,
                             "type": row.validation, "required": required})  # fmt: skip
        state.warn(row, "a number without min and max became a session field")
        return None
    if kind == "text" and row.validation.startswith("date_"):
        date_field = {"key": row.name, "label": label, "help": help_text, "type": "date",
                      "required": required}  # fmt: skip
        if found := origin(row):
            date_field["redcap"] = found
        state.fields.append(date_field)
        return None
    if row.validation:
        state.warn(row, f"text validation {row.validation!r} not checked here: free text "
                   "(kept for export-redcap)")  # fmt: skip
    return {"type": "text", "multiline": kind == "notes"}
