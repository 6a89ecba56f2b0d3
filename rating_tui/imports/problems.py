"""Import problems by line, and the same problem on many lines reported once with a count.

A file with 65 ratings that all give 99 for one item says so in one line ("items.narration:
expected ..., found 99 — 65 lines: 1, 2, 3, … 65"), followed by the other distinct
problems; `--errors FILE` still gets every one, one per line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SHOWN_GROUPS = 8
"""Distinct problems shown in full on the terminal; the rest are counted."""
SHOWN_LINES = 10
"""Line numbers listed for a problem found on many lines (then "…" and the last)."""


@dataclass(frozen=True)
class LineProblem:
    """One problem of one record: the line it starts on (0: the file as a whole)."""

    line: int
    message: str

    def render(self, name: str) -> str:
        return f"{name}:{self.line}: {self.message}" if self.line else f"{name}: {self.message}"


@dataclass(frozen=True)
class Group:
    """The same message on one or more lines, in file order."""

    message: str
    lines: tuple[int, ...]

    def render(self, name: str) -> str:
        if len(self.lines) == 1:
            return LineProblem(self.lines[0], self.message).render(name)
        shown = [str(n) for n in self.lines[:SHOWN_LINES]]
        if len(self.lines) > SHOWN_LINES:
            shown[-1:] = [shown[-1], "…", str(self.lines[-1])]
        return f"{name}: {self.message} — {len(self.lines)} lines: {', '.join(shown)}"


def grouped(problems: Iterable[LineProblem]) -> list[Group]:
    """Problems with the same message together, ordered by the first line of each."""
    by_message: dict[str, list[int]] = {}
    for p in problems:
        by_message.setdefault(p.message, []).append(p.line)
    groups = [Group(m, tuple(sorted(set(lines)))) for m, lines in by_message.items()]
    return sorted(groups, key=lambda g: g.lines[0])


def report_lines(problems: list[LineProblem], name: str, errors_file: str | None) -> list[str]:
    """What the terminal shows: the first distinct problems in full, then a count of the
    rest (pointing to `--errors FILE`, or to the file it was written to)."""
    groups = grouped(problems)
    out = [g.render(name) for g in groups[:SHOWN_GROUPS]]
    rest = groups[SHOWN_GROUPS:]
    if rest:
        lines = sum(len(g.lines) for g in rest)
        where = f"see {errors_file}" if errors_file else "--errors FILE writes every one"
        out.append(f"… and {len(rest)} more distinct problem(s) on {lines} line(s); {where}")
    return out


def every_line(problems: list[LineProblem], name: str) -> str:
    """Every problem, one per line, in file order (for `--errors FILE`)."""
    ordered = sorted(problems, key=lambda p: p.line)
    return "".join(p.render(name) + "\n" for p in ordered)
