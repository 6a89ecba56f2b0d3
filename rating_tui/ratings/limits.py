"""Limits on what a rating may hold, and the checks that need no instrument: text without
control characters, text of bounded length, integers in the range every tool reads exactly.

The instrument sets the length of its text items, session text fields and now moments
(`max_length`); what it does not describe is bounded here. A 50 MB note was once accepted and
made every later import into its month take twice the time and ten times the memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from rating_tui.safetext import code_problem, control_problem

MAX_NOTES = 20_000
"""Characters in a rating's notes (about ten pages)."""
MAX_NAME = 200
"""Characters in a rater's name or initials, and in who made a revision."""
MAX_REASON = 2_000
"""Characters in the reason given for a revision or a void."""
MAX_REVISIONS = 1_000
"""Revisions kept inside one imported rating."""
MAX_LINE_BYTES = 16_000_000
"""Bytes on one line of a JSON Lines import (one rating with its whole history)."""
MAX_INT = 2**53 - 1
"""Largest whole number in a rating: R, SPSS, JavaScript and JSON readers hold it exactly."""
MAX_INT_DIGITS = 16
"""Digits of the longest whole number taken from an import line (checked before conversion,
so a 5,000-digit number is refused in words rather than by Python's own limit)."""


class NumberTooLong(ValueError):
    """A whole number in JSON with more digits than any rating needs."""


def parse_int(digits: str) -> int:
    """`json.loads(..., parse_int=parse_int)`: refuses huge numbers before converting them."""
    count = len(digits.lstrip("-"))
    if count > MAX_INT_DIGITS:
        raise NumberTooLong(
            f"a whole number has {count:,} digits; numbers in a rating have at most "
            f"{MAX_INT_DIGITS} (up to {MAX_INT:,})"
        )
    return int(digits)


def text_problem(text: str, limit: int, *, code: bool = False) -> str | None:
    """Why `text` may not be stored: too long, or a control character (bidi too in codes)."""
    if len(text) > limit:
        return f"is {len(text):,} characters long; at most {limit:,} are allowed"
    return code_problem(text) if code else control_problem(text)


def value_problem(value: object, limit: int, *, code: bool = False) -> str | None:
    """`text_problem` for text, a range check for whole numbers, each element of a list."""
    if isinstance(value, str):
        return text_problem(value, limit, code=code)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        return f"the number {value} is out of range; whole numbers are at most ±{MAX_INT:,}"
    if isinstance(value, list):
        for n, element in enumerate(value):
            problem = value_problem(element, limit, code=True)
            if problem is not None:
                return f"element {n + 1} {problem}"
    return None


def revision_problems(by: str, reason: str, where: str) -> Iterator[tuple[str, str]]:
    """(path, problem) for who made a revision and why."""
    if (problem := text_problem(by, MAX_NAME, code=True)) is not None:
        yield f"{where}.by", problem
    if (problem := text_problem(reason, MAX_REASON)) is not None:
        yield f"{where}.reason", problem
