"""JSON Lines: one complete rating per line, revisions included, exactly as stored.

This is the full-fidelity format: `read_jsonl` gives back the same `Rating` objects, and
`Store.import_ratings` stores them unchanged, so export -> import -> export gives identical bytes.
Nothing is defused here: the file is data for programs, not a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from rating_tui.export.errors import ExportError
from rating_tui.ratings.model import Rating


def jsonl_line(rating: Rating) -> str:
    """The rating as one line of compact UTF-8 JSON, newline included."""
    return rating.model_dump_json() + "\n"


def jsonl_chunks(ratings: Iterable[Rating], batch: int = 500) -> Iterator[str]:
    """The JSON Lines text of `ratings`, in pieces of about `batch` ratings."""
    lines: list[str] = []
    for rating in ratings:
        lines.append(rating.model_dump_json())
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
