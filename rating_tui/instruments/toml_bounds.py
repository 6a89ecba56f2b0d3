"""Bounds checked on an instrument's TOML text before `tomllib` parses it.

`tomllib` is quadratic in the number of parts of a dotted key: a 400 kB file of one header
`[a.a.a...]` with 200,000 parts ran for minutes, 20,000 parts for 19 s. The 1 MB size cap
does not bound that, so this linear scan refuses, with the line named, what no instrument
needs: a line longer than `MAX_LINE` characters, a key of more than `MAX_KEY_PARTS` dotted
parts, arrays and inline tables nested deeper than `MAX_NESTING`, more than `MAX_TABLES`
table headers. Within these bounds any file under the size cap parses in well under a
second (benchmarks/toml_bounds.py measures the worst cases).

The scan is not a TOML parser: it skips strings and comments and follows `=`, brackets and
commas just enough to tell keys from values. Whatever it does not understand it leaves to
`tomllib`, which reports syntax errors with their line.
"""

from __future__ import annotations

import re

MAX_LINE = 20_000
"""Characters on one line (a long help text fits; use a multi-line string for more)."""
MAX_KEY_PARTS = 5
"""Dotted parts of one key or table header: `[items.anchors]` has 2, the format needs 3."""
MAX_NESTING = 10
"""Arrays and inline tables inside one another (the format needs 3)."""
MAX_TABLES = 1_000
"""Table and array-of-tables headers (`[scales.x]`, `[[items]]`) in one file."""
MAX_ENTRIES = 5_000
"""Keys, array elements and table headers together: the built-in instrument (7 items) has
about 200, an instrument of 200 fully anchored items about 4,000."""

_TOKEN = re.compile(r"\"\"\"|'''|[\"'#\[\]{}=,.\n]")
_BASIC = re.compile(r'(?:[^"\\\n]|\\.)*+"')
_MULTI_BASIC = re.compile(r'(?:[^"\\]|\\.|"(?!""))*+"""', re.DOTALL)


def bounds_problem(text: str) -> tuple[str, int] | None:
    """(what is out of bounds, its line number), or None when the text is within bounds."""
    line = 1
    for n, physical in enumerate(text.split("\n"), start=1):
        if len(physical) > MAX_LINE:
            return f"line is {len(physical):,} characters long; at most {MAX_LINE:,} are allowed", n
    stack: list[str] = []
    in_key, parts, tables, entries = True, 1, 0, 0
    pos = 0
    while (m := _TOKEN.search(text, pos)) is not None:
        token, pos = m.group(), m.end()
        if token == "\n":
            line += 1
            if not stack:
                in_key, parts = True, 1
        elif token == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        elif token in ('"""', "'''"):
            if token == "'''":
                end = text.find("'''", pos)
                close = None if end < 0 else end + 3
            else:
                found = _MULTI_BASIC.match(text, pos)
                close = found.end() if found else None
            if close is None:
                return None  # unterminated: tomllib says where
            line += text.count("\n", pos, close)
            pos = close
        elif token == '"':
            found = _BASIC.match(text, pos)
            if found is None:
                return None
            pos = found.end()
        elif token == "'":
            end = text.find("'", pos)
            if end < 0:
                return None
            pos = end + 1
        elif token == ".":
            if in_key:
                parts += 1
                if parts > MAX_KEY_PARTS:
                    return f"a key has more than {MAX_KEY_PARTS} dotted parts", line
        elif token == "=" or (token == "," and stack and stack[-1] == "["):
            in_key = False
            entries += 1
            if entries > MAX_ENTRIES:
                return f"more than {MAX_ENTRIES:,} keys and values", line
        elif token == "[":
            if not stack and in_key:  # a table header: [a.b] or [[a.b]]
                if text.startswith("[", pos):
                    pos += 1
                tables += 1
                entries += 1
                if tables > MAX_TABLES:
                    return f"more than {MAX_TABLES:,} tables", line
                parts = 1
            else:
                stack.append("[")
        elif token == "{":
            stack.append("{")
            in_key, parts = True, 1
        elif token in "]}":
            if stack:
                stack.pop()
                in_key = False
        elif token == "," and stack and stack[-1] == "{":
            in_key, parts = True, 1
        if len(stack) > MAX_NESTING:
            return f"arrays or inline tables nested more than {MAX_NESTING} deep", line
    return None
