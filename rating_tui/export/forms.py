"""The stored forms the record readers of the exports check (`records`, `jsonl_records`),
kept apart from the CSV machinery so that a JSON Lines export does not import it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rating_tui.instruments.model import KEY_PATTERN
from rating_tui.ratings.model import UUID_PATTERN

is_uuid = re.compile(UUID_PATTERN.removeprefix("^").removesuffix("$")).fullmatch
is_key = re.compile(KEY_PATTERN.removeprefix("^").removesuffix("$")).fullmatch
_from_iso = datetime.fromisoformat


def plain_time(text: object) -> bool:
    """A real UTC time written as a Rating writes it: 2026-01-31T14:05:00.000000+00:00. (The
    separators in place and `fromisoformat` taking it leave no other way to write it.)"""
    if type(text) is not str or len(text) != 32 or text[4:20:3] != "--T::.":
        return False
    if not text.endswith("+00:00"):
        return False
    try:
        _from_iso(text)
    except ValueError:  # e.g. February 30th
        return False
    return True


def plain_list(value: list[Any]) -> bool:
    for item in value:  # noqa: SIM110  (faster than all() on a generator, for short lists)
        if type(item) is not int and type(item) is not str:
            return False
    return True
