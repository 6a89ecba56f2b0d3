"""Find the line of a key path (`items[3].scale`) in TOML source text.

tomllib reports a line only for syntax errors. Researchers fixing a semantic error want the
line too, so this scans the text for table headers and `key =` lines, the way a reader would.
It is a best effort for messages: it never decides whether a file is valid.
"""

from __future__ import annotations

import json
import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")


def _parts(dotted: str) -> list[str]:
    return [quote_key(p[1:-1] if p[:1] in "\"'" else p) for p in _PART.findall(dotted)]


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def quote_key(key: str) -> str:
    """A key as written in a key path: bare when it can be, else quoted (`"title.en"`)."""
    return key if _BARE.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def key_lines(text: str) -> dict[str, int]:
    """Map each key path that the text spells out to its (1-based) line number."""
    lines: dict[str, int] = {}
    arrays: dict[str, int] = {}  # path of an array of tables -> entries seen so far
    table: list[str] = []
    in_string: str | None = None
    for number, raw in enumerate(text.split("\n"), start=1):  # TOML breaks lines at LF only
        line = raw.removesuffix("\r")
        starts_inside = in_string is not None
        in_string = _string_state(line, in_string)
        if starts_inside:
            continue
        header = _HEADER.match(line)
        if header:
            table = _resolve(_parts(header.group(2)), arrays)
            if header.group(1) == "[[":
                base = ".".join(table)
                arrays[base] = arrays.get(base, 0) + 1
                lines.setdefault(base, number)
                table = [*table[:-1], f"{table[-1]}[{arrays[base] - 1}]"]
            lines.setdefault(".".join(table), number)
        else:
            key = _KEY.match(line)
            if key:
                lines.setdefault(".".join([*table, *_parts(key.group(1))]), number)
    return lines


_INTERESTING = re.compile(r"[#\"']")
_BASIC_REST = re.compile(r'(?:[^"\\]|\\.)*+"?')
"""The rest of a one-line basic string, through its closing quote (escapes skipped)."""


def _string_state(line: str, state: str | None) -> str | None:
    """Whether the line ends inside a multi-line string (and which quote closes it).

    One-line strings and comments are skipped: three quotes inside either open nothing. Jumps
    from quote to quote with `find` and regular expressions: a 20,000-character string is
    one step, not 20,000.
    """
    i, n = 0, len(line)
    while i < n:
        if state is not None:
            end = line.find(state, i)
            if end < 0:
                return state
            i, state = end + 3, None
            continue
        found = _INTERESTING.search(line, i)
        if found is None:
            return None
        i = found.start()
        char = line[i]
        if char == "#":
            return None
        if line.startswith('"""', i) or line.startswith("'''", i):
            state, i = line[i : i + 3], i + 3
        elif char == '"':
            rest = _BASIC_REST.match(line, i + 1)
            i = rest.end() if rest else n
        else:
            end = line.find("'", i + 1)
            i = n if end < 0 else end + 1
    return state


def _resolve(parts: list[str], arrays: dict[str, int]) -> list[str]:
    """Turn `items.anchors` into `items[2].anchors` when `items` is an array of tables."""
    out: list[str] = []
    for part in parts:
        plain = ".".join([*out, part])
        if plain in arrays and len(out) + 1 < len(parts):
            out.append(f"{part}[{arrays[plain] - 1}]")
        else:
            out.append(part)
    return out


def line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of `path`, or of its nearest spelled-out ancestor (an inline table, a header)."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
