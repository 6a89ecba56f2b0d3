"""`ratings import` of a whole file in two passes (`rating_tui.imports.passes`): the first
checks every record and keeps no rating, the second reads the file again and gives the
store batches; a file changed in between is refused with nothing stored; stdin is spooled
to a private file that is removed afterwards. Messages are the ones of the one-pass import."""

from __future__ import annotations

import gc
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from rating_tui.imports import passes
from rating_tui.imports.passes import Source, first_pass, second_pass
from rating_tui.instruments.catalogue import default_sources, discover
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import Rating
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from rating_tui.store.api import ImportResult
from tests.cli.invoke import run


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The JSON lines of 12 final demo ratings (with pre-store warnings: imported with
    --accept-warnings)."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 12, seed=7)
    out = folder.parent / "all.jsonl"
    code, _, err = run("export", "-f", "jsonl", "--data", str(folder), "-o", str(out))
    assert code == 0, err
    return out.read_text().splitlines()


def write(path: Path, lines: Iterable[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def stored(folder: Path) -> int:
    return len(Store.open(folder).list(statuses=("draft", "final", "voided"), limit=None))


def ratings_alive() -> int:
    return sum(isinstance(o, Rating) for o in gc.get_objects())


def test_the_first_pass_holds_no_rating_beyond_the_one_it_checks(
    lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the whole file was read into a list of Rating models (5 KB each)."""
    file = write(tmp_path / "in.jsonl", lines)
    known = {li.ref: li for li in discover(default_sources([])).instruments}
    validate = Rating.model_validate
    alive: list[int] = []
    made: list[str] = []

    def counted(data: Any, *args: Any, **kwargs: Any) -> Rating:
        alive.append(ratings_alive())  # Ratings held while the next one is made
        rating = validate(data, *args, **kwargs)
        made.append(rating.id)
        return rating

    gc.collect()
    before = ratings_alive()
    monkeypatch.setattr(Rating, "model_validate", counted)
    first = first_pass(Source(file, "jsonl", str(file)), known)
    assert len(made) == len(lines) == first.batch.count == 10
    assert first.batch.ratings == []
    assert max(alive) - before <= 1  # at most the previous record's, not yet collected
    gc.collect()
    assert ratings_alive() == before
    made.clear()
    batches = list(second_pass(Source(file, "jsonl", str(file)), known, first, size=3))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert [r.id for b in batches for r in b] == made == [json.loads(x)["id"] for x in lines]


class Recorded:
    """`Store.import_batches` that records the size of every batch it is given (and can
    change the file after the first one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, after_first: Any = None) -> None:
        self.sizes: list[int] = []
        original = Store.import_batches
        recorder = self

        def recording(
            store: Store, batches: Iterable[Sequence[Rating]], instruments: Mapping[str, Instrument]
        ) -> ImportResult:
            def seen() -> Iterator[Sequence[Rating]]:
                for batch in batches:
                    recorder.sizes.append(len(batch))
                    if after_first is not None and len(recorder.sizes) == 1:
                        after_first()
                    yield batch

            return original(store, seen(), instruments)

        monkeypatch.setattr(Store, "import_batches", recording)


def test_the_store_gets_batches_of_the_batch_size(
    lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(tmp_path / "in.jsonl", [*lines, lines[3]])  # a repeat is read once
    monkeypatch.setattr(passes, "BATCH_SIZE", 4)
    recorded = Recorded(monkeypatch)
    code, out, err = run(
        "ratings", "import", str(file), "--data", str(tmp_path / "d"), "--accept-warnings"
    )
    assert code == 0, err
    assert recorded.sizes == [4, 4, 2]
    assert out.splitlines() == [
        f"{file}: 10 added, 0 already present.",
        "1 line(s) repeat an earlier one with the same content and were read once: line 11 (= 4)",
    ]
    assert stored(tmp_path / "d") == 10


@pytest.mark.parametrize("when", ["before the second pass", "after its first batch"])
@pytest.mark.parametrize("how", ["a line added", "a byte changed, same size and time"])
def test_a_file_changed_between_the_passes_is_refused_and_nothing_is_stored(
    lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str, how: str
) -> None:
    # Lines of 15 kB: the second pass has not read the last ones when its first batch is out.
    big = [json.dumps({**json.loads(x), "notes": "n" * 15_000}) for x in lines]
    file = write(tmp_path / "in.jsonl", big)

    def change() -> None:
        if how == "a line added":
            write(file, [*big, big[0].replace(json.loads(big[0])["id"][:8], "0" * 8)])
            return
        st = file.stat()
        write(file, [*big[:-1], big[-1].replace('"final"', '"draft"')])
        os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))

    monkeypatch.setattr(passes, "BATCH_SIZE", 4)
    if when == "before the second pass":
        first = passes.first_pass

        def then_changed(*args: Any, **kwargs: Any) -> passes.FirstPass:
            done = first(*args, **kwargs)
            change()
            return done

        monkeypatch.setattr(passes, "first_pass", then_changed)
        recorded = Recorded(monkeypatch)
    else:
        recorded = Recorded(monkeypatch, after_first=change)
    folder = tmp_path / "d"
    code, out, err = run("ratings", "import", str(file), "--data", str(folder), "--accept-warnings")
    assert code == 1
    assert f"{file} changed while it was imported; nothing was imported" in err
    assert "added" not in out
    assert stored(folder) == 0
    if when == "after its first batch" or how != "a line added":
        assert recorded.sizes == [4, 4]  # refused at the first line that differs, or the end
    else:
        assert recorded.sizes == []  # another size: refused before reading it again


def test_stdin_is_read_twice_from_a_private_copy_that_is_removed(
    lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    modes: list[int] = []
    recorded = Recorded(monkeypatch, after_first=lambda: modes.extend(
        p.stat().st_mode & 0o777 for p in spool.iterdir()
    ))  # fmt: skip
    text = "".join(x + "\n" for x in [*lines, lines[0]])
    code, out, err = run(
        "ratings", "import", "-", "--data", str(tmp_path / "d"), "--accept-warnings", stdin=text
    )
    assert code == 0, err
    assert out.splitlines()[0] == "<stdin>: 10 added, 0 already present."
    assert modes == [0o600]  # one copy, readable by the user only
    assert recorded.sizes == [10]
    assert list(spool.iterdir()) == []
    code, _, err = run("ratings", "import", "-", "--data", str(tmp_path / "e"), stdin="{")
    assert code == 1 and "<stdin>:1: not valid JSON" in err
    assert list(spool.iterdir()) == []


def test_repeats_other_content_and_session_findings_are_said_as_before(
    lines: list[str], tmp_path: Path
) -> None:
    """Golden messages of the one-pass import (its output for these files, kept here)."""
    first = json.loads(lines[0])
    other = {**first, "notes": "other content"}
    file = write(tmp_path / "in.jsonl", [lines[0], lines[1], lines[0], json.dumps(other)])
    code, _, err = run("ratings", "import", str(file), "--data", str(tmp_path / "d"))
    assert code == 1
    assert err.splitlines() == [
        f"{file}:4: rating {first['id']} is also on line 1, with other content",
        f"error: 1 of 4 rating line(s) in {file} are invalid; nothing was imported",
    ]
    second = {**first, "id": "0" * 8 + first["id"][8:], "rater": "ZZ"}
    second["session"] = {**first["session"], "rater": "ZZ"}
    file = write(tmp_path / "two.jsonl", [lines[0], json.dumps(second)])  # no other warning
    session = first["session"]
    said = (
        f"{file}:2: warning: {session['dyad']} session {session['session_number']} is already "
        f"rated by {first['rater']} on {session['session_date']}: open it, or rate it as a "
        "second rater?"
    )
    code, _, err = run("ratings", "import", str(file), "--data", str(tmp_path / "d"))
    assert code == 1
    assert err.splitlines() == [
        said,
        f"error: 1 warning(s) in {file}; nothing was imported. Check them, then import with "
        "--accept-warnings to store these ratings as they are",
    ]
    assert not (tmp_path / "d").exists() or stored(tmp_path / "d") == 0
    code, out, err = run(
        "ratings", "import", str(file), "--data", str(tmp_path / "d"), "--accept-warnings"
    )
    assert code == 0
    assert err.splitlines() == [said, f"{file}: 1 warning(s) accepted."]
    assert out.splitlines() == [f"{file}: 2 added, 0 already present."]


def test_a_wide_csv_is_stored_in_batches_and_refused_when_changed(
    lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "d"
    code, _, err = run(
        "ratings", "import", str(write(tmp_path / "in.jsonl", lines)), "--data", str(source),
        "--accept-warnings",
    )  # fmt: skip
    assert code == 0, err
    table, moments = tmp_path / "r.csv", tmp_path / "m.csv"
    code, _, err = run("export", "--data", str(source), "-o", str(table), "--moments", str(moments))
    assert code == 0, err
    monkeypatch.setattr(passes, "BATCH_SIZE", 4)
    recorded = Recorded(monkeypatch)
    args = ["ratings", "import", str(table), "--moments", str(moments), "--accept-warnings"]
    code, out, err = run(*args, "--data", str(tmp_path / "e"))
    assert code == 0, err
    assert out.splitlines()[0] == f"{table}: 10 added, 0 already present."
    assert recorded.sizes == [4, 4, 2]
    assert stored(tmp_path / "e") == 10
    first = passes.first_pass

    def then_changed(*args: Any, **kwargs: Any) -> passes.FirstPass:
        done = first(*args, **kwargs)
        moments.write_text(moments.read_text() + "\n")  # the moments table counts too
        return done

    monkeypatch.setattr(passes, "first_pass", then_changed)
    code, out, err = run(*args, "--data", str(tmp_path / "f"))
    assert code == 1
    assert f"{table} changed while it was imported; nothing was imported" in err
    assert stored(tmp_path / "f") == 0
