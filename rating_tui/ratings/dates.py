"""Days as the user types them: YYYY-MM-DD only, and an impossible day named for what it
is ("February 2026 has 28 days") rather than as a wrong shape. Shared by the rating checks,
the app's fields and filters, and the commands' date options."""

from __future__ import annotations

import calendar
import re
from datetime import date

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOOSE_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_day(text: str) -> date | str:
    """The day `text` names as YYYY-MM-DD, or why it is not one in words (an impossible day by
    its month's days; `date.fromisoformat` alone also takes 20260131 and 2026-W05-1)."""
    impossible = impossible_date(text)
    if impossible:
        return impossible
    if not is_day(text):
        return f"{text!r}: expected a date like 2026-01-31"
    return date.fromisoformat(text)


def impossible_date(text: str) -> str | None:
    """`2026-02-30` -> "February 2026 has 28 days"; None when the text is a real date or not
    shaped like one (the format message then applies)."""
    match = _LOOSE_DAY.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return f"{text!r}: there is no month {month}; expected a date like 2026-01-31"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        name = calendar.month_name[month]
        return f"{text!r}: {name} {year} has {days} days"
    if len(match.group(2)) < 2 or len(match.group(3)) < 2:
        return f"{text!r}: write the date as {year:04d}-{month:02d}-{day:02d}"
    return None


def is_day(text: str) -> bool:
    """`text` is a real day written YYYY-MM-DD, as the store keeps session dates."""
    if _DAY.match(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
