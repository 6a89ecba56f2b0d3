"""Problems found in instrument files, phrased for the researcher who has to fix them.

Each problem names the file, the line where one can be found, the key path (`items[3].scale`),
what was found and what was expected. Pydantic's raw errors are translated here, so that the
rest of the program never shows one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from rating_tui.instruments.locate import key_lines, line_of


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file."""

    file: str
    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InstrumentError(Exception):
    """An instrument file (or set of files) that cannot be used; carries every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


_EXPECTED = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "string_type": "text in quotes",
    "bool_type": "true or false",
    "list_type": "a list, e.g. [1, 2]",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}
_PATTERN_HINTS = {
    "version": 'a semantic version such as "1.0.0"',
    "id": 'a lower-case id such as "my-instrument" (letters, digits, - _ .)',
}


def from_validation_error(
    exc: ValidationError, data: dict[str, Any], file: str, text: str, model: type[BaseModel]
) -> list[Problem]:
    """Translate pydantic's errors into problems, one per key path, with lines from `text`."""
    lines = key_lines(text)
    grouped: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        if _wrong_branch(err):
            continue
        path = _clean_path(err["loc"], data)
        nested = getattr(ctx.get("error"), "problems", None)
        if nested is not None:  # rules spanning several keys report paths of their own
            for sub, message in nested:
                full = f"{path}.{sub}" if path and sub else path or sub
                grouped.setdefault(full, []).append(message)
            continue
        grouped.setdefault(path, []).append(_describe(err, path, data, model))
    problems = []
    for path, messages in grouped.items():
        unique = list(dict.fromkeys(messages))
        message = unique[0] if len(unique) == 1 else "expected one of: " + "; or ".join(unique)
        problems.append(Problem(file, message, path, line_of(path, lines)))
    return problems


def _clean_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Drop the union-branch labels pydantic adds to a location, keeping only real keys."""
    parts: list[str] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
            parts.append(str(part))
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            parts.append(part)  # a missing or an unknown key
    return ".".join(parts)


_STRING_ERRORS = {"string_type", "string_pattern_mismatch"}
_TABLE_ERRORS = {"dict_type", "model_type", "model_attributes_type", "union_tag_invalid"}


def _wrong_branch(err: Any) -> bool:
    """True for an error from the union branch that the value plainly was not meant for:
    `scale = {...}` needs no complaint that it is not a key, `scale = "X"` none about tables.
    """
    labels = [p for p in err["loc"] if isinstance(p, str) and ("[" in p or p.endswith("str"))]
    if not labels and err["type"] not in _STRING_ERRORS | _TABLE_ERRORS:
        return False
    value = err.get("input")
    if isinstance(value, dict):
        return err["type"] in _STRING_ERRORS
    if isinstance(value, str):
        return err["type"] in _TABLE_ERRORS and any("union" in p for p in labels)
    return False


def _describe(err: Any, path: str, data: Any, model: type[BaseModel]) -> str:
    kind = err["type"]
    found = _found(err.get("input"))
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = path.rsplit(".", 1)[-1]
        allowed = _allowed_keys(model, path, data)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r}{hint} (allowed here: {', '.join(allowed)})"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {found}"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(
            path.rsplit(".", 1)[-1],
            "a lower-case key: a letter, then letters, digits or _ (at most 63)",
        )
        return f"expected {hint}, found {found}"
    if kind == "literal_error":
        return f"expected {err['ctx']['expected']}, found {found}"
    if kind == "union_tag_invalid":
        return f"type {err['ctx']['tag']} is not known; expected {err['ctx']['expected_tags']}"
    if kind == "union_tag_not_found":
        return "required key 'type' is missing (likert, numeric, yes_no, single_choice, ...)"
    if kind in ("too_short", "too_long"):
        return f"{err['msg'].lower()}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return f"{err['msg']}, found {found}"


def _found(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(model: type[BaseModel], path: str, data: Any) -> list[str]:
    """The keys allowed in the table that holds `path`, found by walking model and data."""
    annotation: Any = model
    node = data
    for part in path.split(".")[:-1]:
        name, _, index = part.partition("[")
        cls = _pick_model(annotation, node)
        if cls is not None and name in cls.model_fields:
            annotation = cls.model_fields[name].annotation
        node = node.get(name) if isinstance(node, dict) else None
        if index and isinstance(node, list):
            position = int(index.rstrip("]"))
            node = node[position] if position < len(node) else None
    cls = _pick_model(annotation, node)
    return sorted(cls.model_fields) if cls is not None else []


def _pick_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model inside `annotation` that `node` is meant to be (by its `type`, for scales)."""
    models = list(_models_in(annotation))
    wanted = node.get("type") if isinstance(node, dict) else None
    for cls in models:
        field = cls.model_fields.get("type")
        if field is not None and wanted in getattr(field.annotation, "__args__", ()):
            return cls
    return models[0] if models else None


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    for meta in getattr(annotation, "__metadata__", ()) or ():
        yield from _models_in(meta)
