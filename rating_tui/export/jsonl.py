"""JSON Lines: one complete rating per line, revisions included, exactly as stored.

This is the full-fidelity format: `read_jsonl` gives back the same `Rating` objects, and
`Store.import_ratings` stores them unchanged, so export -> import -> export gives identical bytes.
Nothing is defused here: the file is data for programs, not a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from rating_tui.export.errors import ExportError
from rating_tui.ratings.model import Rating


def jsonl_line(rating: Rating) -> str:
    """The rating as one line of compact UTF-8 JSON, newline included."""
    return _dump(rating) + "\n"


def _dump(rating: Rating) -> str:
    """`model_dump_json`, or an `ExportError` naming the rating when a text in it cannot be
    written as UTF-8: a lone surrogate, which only a `\\ud800`-like escape put into a month
    file by hand can give (the store never writes one). It ended the export in a traceback."""
    try:
        return rating.model_dump_json()
    except PydanticSerializationError:
        raise ExportError(
            f"rating {rating.id} holds a text that cannot be written as UTF-8 (a lone "
            "surrogate, such as a \\ud800 escape put into its month file by hand): correct "
            "that text, then export again"
        ) from None


def jsonl_chunks(ratings: Iterable[Rating], batch: int = 500) -> Iterator[str]:
    """The JSON Lines text of `ratings`, in pieces of about `batch` ratings."""
    lines: list[str] = []
    for rating in ratings:
        lines.append(_dump(rating))
        if len(lines) >= batch:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def read_jsonl(lines: Iterable[str | bytes], name: str = "<input>") -> Iterator[Rating]:
    """Ratings from JSON Lines; blank lines are skipped; a bad line raises `ExportError`
    naming the file, the line number and the first problem."""
    for number, line in enumerate(lines, start=1):
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            yield Rating.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            raise ExportError(
                f"{name}, line {number}: not a rating ({where}: {first['msg']})"
            ) from None
