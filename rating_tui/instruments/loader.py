"""Read one instrument file: bytes -> text -> TOML -> validated `Instrument`.

Any failure becomes an `InstrumentError` carrying `Problem`s: an unreadable file, a folder
given as a file, binary junk, an oversized file, malformed TOML or content that breaks the
format. Nothing here prints; the caller decides how to show the problems.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rating_tui.inputs import InputRefused, decode_text, read_bounded
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.locate import key_lines, line_of, quote_key
from rating_tui.instruments.model import Instrument
from rating_tui.instruments.problems import (
    InstrumentError,
    Problem,
    capped,
    from_validation_error,
)
from rating_tui.instruments.toml_bounds import bounds_problem
from rating_tui.safetext import code_problem, control_problem

MAX_BYTES = 1_000_000
"""Instrument files are a few kB; anything over this is not one (and would stall the app)."""


@dataclass(frozen=True)
class LoadedInstrument:
    """An instrument together with where it came from and the hash of its content."""

    instrument: Instrument
    path: Path
    source: str
    """Which folder kind it was found in: "built-in", "user", "--instruments", "file"."""
    content_hash: str

    @property
    def ref(self) -> str:
        return self.instrument.ref


def load_instrument(
    path: Path, source: str = "file", display: str | None = None
) -> LoadedInstrument:
    """Load and validate `path`; raise `InstrumentError` with every problem found."""
    name = display or str(path)
    text = read_text(path, name)
    instrument = parse_instrument(text, name)
    return LoadedInstrument(instrument, path, source, content_hash(instrument))


def read_text(path: Path, name: str) -> str:
    """The file's text, or an `InstrumentError` that says in words why it cannot be read.

    Read through `inputs.read_bounded`: a link to /dev/zero, a FIFO or a folder is refused
    before it is opened, and never more than `MAX_BYTES` + 1 bytes are read.
    """
    expected = "an instrument file (.toml)"
    try:
        data = read_bounded(path, MAX_BYTES, what="an instrument file", expected=expected)
        return decode_text(data, name, "a TOML file")
    except InputRefused as exc:
        raise InstrumentError([Problem(name, exc.reason)]) from None


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def parse_instrument(text: str, name: str = "<text>") -> Instrument:
    """Parse TOML text and validate it as an instrument."""
    if "\x00" in text:
        raise InstrumentError(
            [Problem(name, "contains NUL bytes: this is a binary file, not TOML")]
        )
    bounds = bounds_problem(text)
    if bounds is not None:
        message, where = bounds
        raise InstrumentError([Problem(name, f"{message}; no instrument needs this", line=where)])
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except RecursionError:
        raise InstrumentError([Problem(name, "is nested too deeply to be an instrument")]) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match and match.group(1) else None
        if match and match.group(0) == "(at end of document)":
            line = text.count("\n") + 1
        reason = _TOML_POSITION.sub("", message).strip()
        raise InstrumentError([Problem(name, f"not valid TOML: {reason}", line=line)]) from None
    return validate_data(data, text, name)


def validate_data(data: dict[str, Any], text: str, name: str) -> Instrument:
    """Validate already-parsed data (e.g. from the REDCap importer) as an instrument."""
    control = list(_control_problems(data, ""))
    if control:
        lines = key_lines(text) if text else {}
        raise InstrumentError(
            [Problem(name, message, path, line_of(path, lines)) for path, message in control]
        )
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        problems = from_validation_error(exc, data, name, text, Instrument)
        problems += _hidden_reference_problems(exc, data, name, text, problems)
        raise InstrumentError(capped(problems, name)) from None
    except RecursionError:
        raise InstrumentError([Problem(name, "is nested too deeply to be an instrument")]) from None


_CODE_KEYS = frozenset({"code", "id", "key", "export_value"})
"""Keys whose text is a code: no bidi controls there either (they are read, not displayed)."""


def _control_problems(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(key path, problem) for every text in `node` that holds a control character; bidi
    controls too in codes and table keys. Text may hold newline and tab only."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{quote_key(key)}" if path else quote_key(key)
            if (problem := code_problem(key)) is not None:
                yield where, f"the key {problem}"
            elif isinstance(value, str) and key in _CODE_KEYS:
                if (problem := code_problem(value)) is not None:
                    yield where, problem
            else:
                yield from _control_problems(value, where)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _control_problems(value, f"{path}[{n}]")
    elif isinstance(node, str) and (problem := control_problem(node)) is not None:
        yield path, problem


_PLACEHOLDERS: dict[str, object] = {"id": "placeholder", "version": "0.0.0", "title": "placeholder"}


def _hidden_reference_problems(
    exc: ValidationError, data: dict[str, Any], name: str, text: str, known: list[Problem]
) -> list[Problem]:
    """The cross-table problems that pydantic skipped because of structural errors.

    When every structural error is an unknown key or a bad top-level value (id, version,
    title...), those are set aside in a copy and the copy is validated again, so that a typo
    in `version` does not hide an undefined scale. Deeper structural errors stop this: rules
    over a half-valid table would report nonsense.
    """
    repaired = copy.deepcopy(data)
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if err["type"] == "extra_forbidden":
            _delete(repaired, loc)
        elif len(loc) == 1 and isinstance(loc[0], str) and loc[0] in Instrument.model_fields:
            field = loc[0]
            if field in _PLACEHOLDERS:
                repaired[field] = _PLACEHOLDERS[field]
            elif field in ("fields", "items"):
                return []
            else:
                repaired.pop(field, None)
        else:
            return []
    try:
        Instrument.model_validate(repaired)
    except ValidationError as again:
        seen = {(p.path, p.message) for p in known}
        found = from_validation_error(again, repaired, name, text, Instrument)
        return [p for p in found if (p.path, p.message) not in seen]
    return []


def _delete(data: Any, loc: tuple[int | str, ...]) -> None:
    """Remove the key at `loc` from nested tables and lists, if it is there."""
    node = data
    for part in loc[:-1]:
        node = _child(node, part)
    if isinstance(node, dict):
        node.pop(str(loc[-1]), None)


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    if isinstance(node, dict):
        return node.get(part)
    return None
