"""A small TOML writer for instrument data (tomli-w is not a dependency; tomllib only reads).

Writes the subset instruments use: strings, integers, floats, booleans, arrays, tables and
arrays of tables. A nested table inside an array of tables becomes a `[items.anchors]` section
after the element's own keys, the way the built-in instrument file is written by hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
}


def dumps(data: Mapping[str, Any]) -> str:
    """TOML text that `tomllib.loads` turns back into `data`."""
    lines: list[str] = []
    _table(lines, (), data, None)
    return "\n".join(lines).lstrip("\n") + "\n"


def _is_table_array(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _table(
    lines: list[str], path: tuple[str, ...], data: Mapping[str, Any], header: str | None
) -> None:
    if header is not None:
        lines += ["", header]
    nested = [(k, v) for k, v in data.items() if isinstance(v, Mapping) or _is_table_array(v)]
    for key, value in data.items():
        if value is None:
            raise ValueError(f"{'.'.join((*path, key))}: TOML has no null value")
        if not (isinstance(value, Mapping) or _is_table_array(value)):
            lines.append(f"{key_text(key)} = {value_text(value)}")
    for key, value in nested:
        dotted = ".".join(key_text(k) for k in (*path, key))
        if isinstance(value, Mapping):
            _table(lines, (*path, key), value, f"[{dotted}]")
        else:
            for element in value:
                _table(lines, (*path, key), element, f"[[{dotted}]]")


def key_text(key: str) -> str:
    return key if _BARE.fullmatch(key) else string_text(key)


def string_text(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def value_text(value: object) -> str:
    """An inline TOML value (arrays of tables inside arrays become inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written to an instrument file")
        return repr(value)
    if isinstance(value, str):
        return string_text(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{key_text(k)} = {value_text(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, Sequence):
        parts = [value_text(v) for v in value]
        if any(isinstance(v, Mapping) for v in value):
            return "[\n" + "".join(f"  {p},\n" for p in parts) + "]"
        return "[" + ", ".join(parts) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
