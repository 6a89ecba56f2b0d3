"""Shared pieces of the instrument format: the strict base model, key and text types, and the
helpers that phrase duplicate and cross-reference problems."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
"""Item, field, scale and code keys: they become column names in every export format
(SPSS and Stata included), so they are lower-case identifiers of at most 63 characters."""

Key = Annotated[str, Field(pattern=KEY_PATTERN)]


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError(f"expected text, found only spaces ({text!r})")
    return text


Text = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]
"""A label, title or anchor: a rater or reader must see words (spaces alone read as a label
left out, an item without a name)."""
Code = int | str
"""A choice's stored value: REDCap-style integer codes or short text codes."""


class Strict(BaseModel):
    """Base of every part of the format: unknown keys are errors, values are not coerced
    across types (a quoted "5" is not the number 5).

    Empty defaults are written `Field(default=[])`: pydantic copies a default for each
    instance (and these models are frozen), while `default_factory=list` would make pydantic
    read `list`'s signature through `inspect`, about 8 ms at every start of the command line.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class ReferenceProblems(ValueError):
    """Every broken cross-reference of one instrument, each with the key path it concerns."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in problems))
        self.problems = problems


def listed_twice(value: str, what: str) -> str:
    """The message for a list naming `value` again: it was read as written, the same thing
    offered twice (two keys for one missing code, one item twice among a now moment's tags
    or an alert's items)."""
    return f"{value!r} is listed more than once; name each {what} once"


def duplicate_problems(
    values: Sequence[str | None], table: str, attr: str, what: str, skip_none: bool = False
) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for n, v in enumerate(values):
        if v is None and skip_none:
            continue
        if v in seen:
            out.append((f"{table}[{n}].{attr}", f"duplicate {what} {v!r}; each must be unique"))
        seen.add(str(v))
    return out


def _no_duplicates(values: list[str] | list[int], what: str) -> None:
    seen: set[object] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what} {v!r}: each must be unique")
        seen.add(v)


def listing(names: Iterable[object]) -> str:
    items = sorted(str(n) for n in names)
    return ", ".join(items) if items else "none"


def shortest_match(pattern: str) -> int | None:
    """The fewest characters any text matching `pattern` has (None when Python cannot say):
    a text field whose max_length is below it could take no answer at all."""
    import importlib

    try:
        parsed = importlib.import_module("re._parser").parse(pattern)
        return int(parsed.getwidth()[0])
    except Exception:  # noqa: BLE001 - re's parser is internal: without it, no check
        return None
