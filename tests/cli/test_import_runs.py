"""The first pass of a whole-file import keeps its keys in sorted runs on disk
(`rating_tui.imports.keys`), not in memory: a bounded number are held at once whatever the
file's size; repeats, conflicts and the pre-store findings are said exactly as when they were
all held; the runs' files are let go however the import ends (issue #11)."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rating_tui import passphrase
from rating_tui.imports import keys, prestore
from rating_tui.imports.passes import Source, first_pass, second_pass
from rating_tui.instruments.catalogue import default_sources, discover
from rating_tui.ratings.checks import facts
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.services.session_checks import import_findings
from rating_tui.store import Store, crypto
from rating_tui.store.spill import SortedRuns
from tests.cli.invoke import run

COUNT = 60


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The JSON lines of the final ratings of 60 demo ones (second raters: warnings)."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), COUNT, seed=11)
    out = folder.parent / "all.jsonl"
    code, _, err = run("export", "-f", "jsonl", "--data", str(folder), "-o", str(out))
    assert code == 0, err
    return out.read_text().splitlines()


@pytest.fixture
def small_runs(monkeypatch: pytest.MonkeyPatch) -> int:
    """Runs of 4 keys: a file of 50-odd ratings goes to disk in many of them."""
    monkeypatch.setattr(keys, "RUN", 4)
    return 4


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def known() -> dict[str, Any]:
    return {li.ref: li for li in discover(default_sources([])).instruments}


def open_fds() -> int:
    fds = Path("/proc/self/fd")
    return len(list(fds.iterdir())) if fds.is_dir() else 0


def test_the_keys_held_at_once_stay_under_the_run_size(
    lines: list[str], tmp_path: Path, small_runs: int
) -> None:
    """Before: one SessionFacts and one 21-byte key per rating, all of them held."""
    file = write(tmp_path / "in.jsonl", lines)
    spilled: list[int] = []
    with first_pass(Source(file, "jsonl", str(file)), known()) as first:
        held = first.batch.keys
        assert held is not None
        assert first.batch.count == len(lines) > 10 * small_runs
        spilled.append(held.by_dyad.runs.spilled)
        found = list(prestore.import_findings(None, held, date(2026, 12, 1), lambda r: None))
        assert found  # (the demo set has second raters)
        batches = list(second_pass(Source(file, "jsonl", str(file)), known(), first, size=7))
    assert held.most_held <= 2 * small_runs  # (the runs by id, then by dyad, each under RUN)
    assert spilled[0] >= len(lines) // small_runs - 1
    assert [r.id for b in batches for r in b] == [json.loads(x)["id"] for x in lines]


def test_a_repeated_id_with_other_content_is_refused_with_both_lines(
    lines: list[str], tmp_path: Path, small_runs: int
) -> None:
    first = json.loads(lines[3])
    other = json.dumps({**first, "notes": "other content"})
    file = write(
        tmp_path / "in.jsonl", [*lines[:20], lines[3], *lines[20:], other, lines[3], other]
    )
    code, out, err = run("ratings", "import", str(file), "--data", str(tmp_path / "d"))
    assert code == 1 and out == ""
    end = len(lines) + 2
    assert err.splitlines() == [
        f"{file}: rating {first['id']} is also on line 4, with other content — "
        f"2 lines: {end}, {end + 2}",
        f"error: 2 of {end + 2} rating line(s) in {file} are invalid; nothing was imported",
    ]
    code, out, err = run("ratings", "import", str(file), "--check", "--errors", "/dev/null")
    assert code == 1 and f"{file}: rating {first['id']} is also on line 4, with other" in err
    file = write(tmp_path / "rep.jsonl", [*lines[:20], lines[3], *lines[20:], lines[3]])
    code, out, _ = run("ratings", "import", str(file), "--check")
    assert code == 0
    assert out.splitlines()[1] == (
        "2 line(s) repeat an earlier one with the same content and were read once: line "
        f"21 (= 4), {len(lines) + 2} (= 4)"
    )


def test_pre_store_findings_from_runs_are_the_in_memory_ones(
    lines: list[str], tmp_path: Path, small_runs: int
) -> None:
    """The findings by dyad from runs, against stored ratings (some of the file's ids among
    them), equal the in-memory check's, in the same order."""
    folder = tmp_path / "d"
    stored_part = write(tmp_path / "half.jsonl", lines[::3])
    code, _, err = run("ratings", "import", str(stored_part), "--data", str(folder),
                       "--accept-warnings")  # fmt: skip
    assert code == 0, err
    file = write(tmp_path / "in.jsonl", lines)
    store = Store.open(folder)
    today = date(2026, 12, 1)
    instrument = builtin_instrument()
    with first_pass(Source(file, "jsonl", str(file)), known()) as first:
        assert first.batch.keys is not None
        got = list(prestore.import_findings(store, first.batch.keys, today, lambda r: instrument))
    from rating_tui.ratings.model import Rating

    ratings = [Rating.model_validate_json(x) for x in lines]
    line_of = {r.id: n for n, r in enumerate(ratings, 1)}
    expected = [
        (line_of[rid], rid, found)
        for rid, found in import_findings(
            store, [facts(r, instrument) for r in ratings], today, lambda r: instrument
        )
    ]
    assert got == expected and len(expected) >= 3
    assert {line for line, _, _ in got}.isdisjoint(range(1, len(lines) + 1, 3))  # stored: left out


@pytest.mark.parametrize("end", ["success", "refusal", "interrupt"])
def test_the_runs_files_are_let_go_however_the_import_ends(
    lines: list[str], tmp_path: Path, small_runs: int, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    closed: list[keys.FileKeys] = []
    close = keys.FileKeys.close

    def recorded(self: keys.FileKeys) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(keys.FileKeys, "close", recorded)
    chosen = lines if end != "refusal" else [*lines, "{"]
    file = write(tmp_path / "in.jsonl", chosen)
    interrupts: list[int] = []
    if end == "interrupt":

        def interrupted(*args: Any, **kwargs: Any) -> None:
            interrupts.append(len(list(spool.iterdir())))  # (the runs are unnamed files: 0)
            raise KeyboardInterrupt

        monkeypatch.setattr(Store, "import_batches", interrupted)
    before = open_fds()
    args = ["ratings", "import", str(file), "--data", str(tmp_path / "d"), "--accept-warnings"]
    code, _, err = run(*args)
    assert code == {"success": 0, "refusal": 1, "interrupt": 130}[end], err
    assert interrupts == ([0] if end == "interrupt" else [])
    assert len(closed) == 1 and closed[0]._ids is None  # every run and file let go
    assert closed[0].most_held <= 3 * small_runs
    assert open_fds() == before
    assert list(spool.iterdir()) == []


def test_runs_of_what_an_encrypted_folder_holds_are_sealed(
    lines: list[str], tmp_path: Path, small_runs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored ratings' facts and ids, and the findings that name them, reach the disk
    sealed when the folder is encrypted; what is said is what the plain folder says."""
    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    monkeypatch.delenv(passphrase.ENV, raising=False)
    crypto.forget_keys()
    plain, sealed = tmp_path / "plain", tmp_path / "sealed"
    part = write(tmp_path / "part.jsonl", lines[::3])
    for folder in (plain, sealed):
        code, _, err = run("ratings", "import", str(part), "--data", str(folder),
                           "--accept-warnings")  # fmt: skip
        assert code == 0, err
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", "correct horse")
    code, _, err = run("encrypt", "--data", str(sealed))
    assert code == 0, err
    monkeypatch.setenv(passphrase.ENV, "correct horse")
    spills: list[bool] = []
    spill = SortedRuns.spill

    def recorded(self: SortedRuns[Any], *args: Any) -> None:
        spills.append(self._sealed)
        spill(self, *args)

    monkeypatch.setattr(SortedRuns, "spill", recorded)
    file = write(tmp_path / "in.jsonl", lines)
    said = []
    for folder in (plain, sealed):
        spills.clear()
        said.append(run("ratings", "import", str(file), "--data", str(folder)))
        assert said[-1][0] == 1 and "warning(s)" in said[-1][2]
        assert (True in spills) is (folder == sealed) and False in spills  # (the file's own)
    # the plain folder is told that the passphrase set is not used; the rest is the same
    note, rest = said[0][2].split("\n", 1)
    assert note.startswith(f"note: {passphrase.ENV} is set, but {plain} is not encrypted")
    assert (said[0][0], said[0][1], rest) == said[1]
    crypto.forget_keys()
