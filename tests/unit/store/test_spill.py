"""`spill.SortedRuns`: a month's results given back in key order, equal keys in the order
they came, whether they stayed in memory or went through runs on disk; for an encrypted
folder the runs are unreadable without the key made for the read."""

from __future__ import annotations

import random
from pathlib import Path
from typing import IO

import pytest

from rating_tui.store import spill
from rating_tui.store.spill import Key, SortedRuns

Made = list[tuple[Key, object]]


def entries(count: int, seed: int = 7) -> Made:
    """Results of many shapes (JSON lines, CSV texts, (text, rows, moments) tuples, the
    export's "left out" empty list) under keys that often repeat."""
    rng = random.Random(seed)
    made: Made = []
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


def through(runs: SortedRuns[object], made: Made, run: int) -> list[object]:
    """What `streaming.read_month` does: hold results in two lists, spill past `run`."""
    keys: list[Key] = []
    results: list[object] = []
    for key, result in made:
        keys.append(key)
        results.append(result)
        if len(results) >= run:
            runs.spill(keys, results)
    return list(runs.drain(keys, results))


def stable_sorted(made: Made) -> list[object]:
    return [result for _, result in sorted(made, key=lambda pair: pair[0])]


@pytest.mark.parametrize("sealed", [False, True])
@pytest.mark.parametrize("run", [1, 7, 256, 1000])
def test_results_come_back_sorted_and_stable_through_runs_on_disk(sealed: bool, run: int) -> None:
    made = entries(3000)
    runs: SortedRuns[object] = SortedRuns(sealed=sealed)
    assert through(runs, made, run) == stable_sorted(made)
    assert runs.spilled == 3000 // run


def test_a_month_under_a_run_never_writes_one() -> None:
    made = entries(200)
    runs: SortedRuns[object] = SortedRuns()
    assert through(runs, made, spill.RUN) == stable_sorted(made)
    assert runs.spilled == 0


@pytest.mark.parametrize("sealed", [False, True])
def test_runs_of_an_encrypted_folder_hold_no_plain_text(
    sealed: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run"

    def named_file() -> IO[bytes]:
        return path.open("w+b")

    monkeypatch.setattr(spill.tempfile, "TemporaryFile", named_file)
    made: Made = [
        (("2025-03-01", "t", f"id{n:03d}"), f"dyad EC04{n:02d} rated\r\n") for n in range(50)
    ]
    runs: SortedRuns[object] = SortedRuns(sealed=sealed)
    keys: list[Key] = [k for k, _ in made]
    results: list[object] = [r for _, r in made]
    runs.spill(keys, results)
    assert keys == [] and results == [] and runs.spilled == 1
    held = path.read_bytes()
    assert (b"EC0417" in held) is not sealed
    assert list(runs.drain(keys, results)) == [r for _, r in made]
