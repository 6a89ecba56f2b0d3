"""Text that cannot drive a terminal: what is refused at the door, and how stored text is
shown.

A note or a dyad code that holds ESC can clear the screen (`\\x1b[2J`) or set the window
title (`\\x1b]0;...`) when printed; U+202E turns the rest of a line around, so `1-ecnis`
reads as `since-1`. Newline and tab are the only control characters text may hold: the rest
(C0, DEL, C1) are refused wherever text comes in (imports, the app, instrument files), bidi
controls are refused in codes (dyad, rater, choice codes) and allowed in free text, where
`escape` shows them as `\\u202e`. Every place that prints stored text goes through `escape`,
so text stored before these rules cannot drive the terminal either.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than tab (\\x09) and newline (\\x0a): C0, DEL and C1."""

BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Bidirectional marks, embeddings, overrides and isolates (the "Trojan Source" set)."""

UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""`CONTROL` and `BIDI` together: what `escape` writes out."""


def _name(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def control_problem(text: str) -> str | None:
    """Why `text` may not be stored (a control character, named with its position), or None."""
    found = CONTROL.search(text)
    if found is None:
        return None
    return (
        f"holds the control character {_name(found.group())} at character {found.start() + 1}; "
        "only newline and tab are allowed"
    )


def code_problem(text: str) -> str | None:
    """`control_problem`, and for codes (dyad, rater, choice codes) bidi controls as well."""
    problem = control_problem(text)
    if problem is not None:
        return problem
    found = BIDI.search(text)
    if found is None:
        return None
    return (
        f"holds the bidirectional control {_name(found.group())} at character "
        f"{found.start() + 1}; codes may not hold one"
    )


def escape(text: str) -> str:
    """`text` as it is safe to print: control and bidi characters written as `\\x1b`,
    `\\u202e`; newline and tab kept. Printable text is unchanged (no copy when clean)."""
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(lambda m: _name(m.group()), text)


def escape_line(text: str) -> str:
    """`escape` for one table cell: newline and tab shown as `\\n`, `\\t` too."""
    return escape(text).replace("\n", "\\n").replace("\t", "\\t")
