"""Shared fixtures for the instrument tests: a minimal valid instrument and helpers that run
the loader on a broken variant of it and pick out the problems it reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.problems import InstrumentError, Problem

FILE = "mini.toml"
"""The file name the tests give `parse_instrument`; every problem must carry it."""

# Line numbers matter: tests below assert them. Keep the layout stable (see `line_with`).
MINIMAL_TOML = """\
id = "mini"
version = "1.0.0"
title = "Mini instrument"

[[fields]]
key = "dyad"
label = "Dyad code"
type = "text"
role = "dyad"

[[fields]]
key = "session_date"
label = "Session date"
type = "date"
role = "session_date"

[[fields]]
key = "rater"
label = "Rater"
type = "text"
role = "rater"

[scales.presence]
type = "likert"
points = [
  { value = 0, label = "absent" },
  { value = 1, label = "present" },
  { value = 2, label = "central" },
]

[[missing_codes]]
code = "not_observed"
label = "Not observed"
export_value = -9

[[items]]
key = "holding"
label = "Holding"
scale = "presence"
missing_codes = ["not_observed"]

[items.anchors]
0 = "no holding"
2 = "holding throughout"

[[items]]
key = "attunement"
label = "Attunement"
scale = { type = "numeric", min = 0, max = 10 }
"""


def line_with(text: str, needle: str) -> int:
    """1-based line of the only line of `text` that contains `needle` (plain string search,
    independent of the module under test)."""
    hits = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} found on lines {hits}, expected exactly one"
    return hits[0]


def problems_in(text: str, name: str = FILE) -> list[Problem]:
    """The problems `parse_instrument` reports for `text`; fails if it accepts the text."""
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, name)
    problems = caught.value.problems
    assert problems, "InstrumentError raised without any problem"
    for p in problems:
        assert p.file == name
        assert p.message
    return problems


def problem_at(problems: list[Problem], path: str) -> Problem:
    """The one problem reported at `path`; the failure message lists them all."""
    found = [p for p in problems if p.path == path]
    listing = "\n".join(f"  {p.path!r} line {p.line}: {p.message}" for p in problems)
    assert len(found) == 1, f"expected one problem at {path!r}, got:\n{listing}"
    return found[0]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


class Kit:
    """The helpers above, handed to test modules as the `kit` fixture (test modules do not
    import conftest)."""

    FILE = FILE
    MINIMAL_TOML = MINIMAL_TOML
    line_with = staticmethod(line_with)
    problems_in = staticmethod(problems_in)
    problem_at = staticmethod(problem_at)
    replace_once = staticmethod(replace_once)


@pytest.fixture(scope="session")
def kit() -> Kit:
    return Kit()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(relative_name, text_or_bytes) -> the path, parents created."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write
