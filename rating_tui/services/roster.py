"""The study roster: the dyad codes of the study, in `dyads.txt` in the data folder.

Optional. When it exists, a code that is neither in it nor already rated is asked about
("new dyad?") with the nearest known codes, so a mistyped code (EC0471 for EC0417) does not
silently start a new dyad. One code per line; blank lines and `#` comments are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rating_tui.outputs import atomic_write_text
from rating_tui.ratings.checks import nearest

__all__ = ["ROSTER_FILE", "add_codes", "load_roster", "nearest", "parse_codes"]

ROSTER_FILE = "dyads.txt"
MAX_CODE = 32


def roster_path(data_dir: Path) -> Path:
    return data_dir / ROSTER_FILE


def load_roster(data_dir: Path) -> list[str] | None:
    """The codes in the roster, in file order; None when the study keeps no roster."""
    path = roster_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    codes, problems = parse_codes(text)
    if problems:
        raise ValueError(f"{path}:{problems[0]}")
    return codes


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """(codes, problems as `line: message`) of a list with one code per line."""
    codes: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().removeprefix("\ufeff")
        if not line:
            continue
        problem = code_problem(line)
        if problem:
            problems.append(f"{number}: {problem}")
        elif line not in codes:
            codes.append(line)
    return codes, problems


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a dyad code in the roster, or None."""
    if not code or any(c.isspace() for c in code):
        return f"{code!r} is not a dyad code: one word without spaces, e.g. EC0417"
    if len(code) > MAX_CODE:
        return f"{code!r} is {len(code)} characters long; at most {MAX_CODE} are allowed"
    if not code.isprintable():
        return f"{code!r} holds a control character"
    return None


def add_codes(data_dir: Path, codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """Add codes to the roster (created if missing), atomically; (added, already there)."""
    current = load_roster(data_dir) or []
    added = [c for c in dict.fromkeys(codes) if c not in current]
    present = [c for c in dict.fromkeys(codes) if c in current]
    if added:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "".join(f"{c}\n" for c in [*current, *added])
        header = "# Dyad codes of the study, one per line (rating-tui dyads add/list/import)\n"
        atomic_write_text(roster_path(data_dir), header + text, mode=0o600)
    return added, present
