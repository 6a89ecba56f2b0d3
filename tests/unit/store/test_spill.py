"""`spill.SortedRuns`: a month's results given back in key order, equal keys in the order
they came, whether they stayed in memory or went through runs on disk; for an encrypted
folder the runs are unreadable without the key made for the read."""

from __future__ import annotations

import random
from pathlib import Path
from typing import IO

import pytest

from rating_tui.store import spill
from rating_tui.store.spill import SortedRuns


def entries(count: int, seed: int = 7) -> list[tuple[tuple[str, str, str], object]]:
    """Results of many shapes (JSON lines, CSV texts, (text, rows, moments) tuples, the
    export's "left out" empty list) under keys that often repeat."""
    rng = random.Random(seed)
    made: list[tuple[tuple[str, str, str], object]] = []
    for n in range(count):
        key = (
            f"2025-03-{rng.randint(1, 4):02d}",
            f"t{rng.randint(0, 5)}",
            f"id{rng.randint(0, 9)}",
        )
        shape = n % 4
        result: object = (
            f'{{"n":{n},"text":"{"x" * rng.randint(0, 400)}"}}\n'.encode()
            if shape == 0
            else f"row {n}\r\n"
            if shape == 1
            else (f"row {n}\r\n", 1, [["moment", str(n)]])
            if shape == 2
            else []
        )
        made.append((key, result))
    return made


def stable_sorted(made: list[tuple[tuple[str, str, str], object]]) -> list[object]:
    return [result for _, result in sorted(made, key=lambda pair: pair[0])]


@pytest.mark.parametrize("sealed", [False, True])
def test_results_come_back_sorted_and_stable_through_runs_on_disk(sealed: bool) -> None:
    made = entries(3000)
    runs: SortedRuns[object] = SortedRuns(sealed=sealed, budget=20_000)
    for key, result in made:
        runs.add(key, result)
    assert runs.spilled > 10  # the budget forced many runs
    assert list(runs.drain()) == stable_sorted(made)


def test_a_month_under_the_budget_never_writes_a_run() -> None:
    made = entries(200)
    runs: SortedRuns[object] = SortedRuns()
    for key, result in made:
        runs.add(key, result)
    assert runs.spilled == 0
    assert list(runs.drain()) == stable_sorted(made)


@pytest.mark.parametrize("sealed", [False, True])
def test_runs_of_an_encrypted_folder_hold_no_plain_text(
    sealed: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run"

    def named_file() -> IO[bytes]:
        return path.open("w+b")

    monkeypatch.setattr(spill.tempfile, "TemporaryFile", named_file)
    runs: SortedRuns[object] = SortedRuns(sealed=sealed, budget=1_000)
    for n in range(50):
        runs.add(("2025-03-01", "t", f"id{n:03d}"), f"dyad EC04{n:02d} rated\r\n")
    assert runs.spilled > 1
    held = path.read_bytes()
    assert (b"EC0417" in held) is not sealed
    given = list(runs.drain())
    assert given == [f"dyad EC04{n:02d} rated\r\n" for n in range(50)]
