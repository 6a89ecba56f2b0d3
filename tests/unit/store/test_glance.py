"""`store/glance.py`: the newest records of a plain folder read without the Store API give the
same ratings as `Store.list`, and anything that does not read plainly gives no answer."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Rating
from rating_tui.store import Store
from rating_tui.store.glance import Glance, Unclear, glance
from rating_tui.store.layout import Layout

MakeRating = Callable[..., Rating]
QUERIES: list[dict[str, object]] = [
    {"statuses": ("draft",), "date_from": date(2025, 2, 1), "limit": 20},
    {"statuses": ("draft",), "date_from": None, "limit": 20},
    {"statuses": ("final",), "date_from": None, "limit": 8},
    {"statuses": ("final",), "date_from": None, "limit": 400},
    {"statuses": ("final", "voided", "draft"), "date_from": date(2025, 3, 1), "limit": 3},
]


@pytest.fixture
def varied(store: Store, instrument: Instrument, make_rating: MakeRating) -> Store:
    """Finals over four months (one split into parts), drafts old and new, one with no date,
    one voided, and ties on the session date."""
    bulk = [make_rating(dyad=f"D{n:03d}", day="2025-02-10") for n in range(300)]
    store.import_ratings(bulk, {instrument.ref: instrument})
    for month in ("01", "03", "04"):
        for day in ("05", "05", "20"):
            store.finalise(make_rating(day=f"2025-{month}-{day}"), instrument)
    store.save_draft(make_rating(day="2025-01-02"), instrument)  # before the window
    store.save_draft(make_rating(day="2025-04-30", dyad="D900"), instrument)
    half = make_rating(day="2025-03-03").replace(answers={"narration": Answered(value=2)})
    store.save_draft(half, instrument)
    undated = Rating.new(instrument, "AB")
    store.save_draft(undated, instrument)
    gone = store.finalise(make_rating(day="2025-04-21"), instrument)
    store.void(gone.id, by="AB", reason="wrong dyad")
    return store


@pytest.mark.parametrize("query", QUERIES)
def test_the_glance_finds_what_the_store_lists(varied: Store, query: dict[str, object]) -> None:
    found = glance(varied.data_dir)
    assert isinstance(found, Glance)
    statuses, since, limit = query["statuses"], query["date_from"], query["limit"]
    listed = varied.list(statuses=statuses, date_from=since, limit=limit)  # type: ignore[arg-type]
    glanced = found.records(statuses=statuses, date_from=since, limit=limit)  # type: ignore[arg-type]
    assert listed  # the query finds something to compare
    assert [r["id"] for r in glanced] == [r.id for r in listed]


def test_the_glance_counts_every_rating_the_folder_holds(varied: Store) -> None:
    """What Home says "No ratings yet" by: the manifest's counts, every status, as the store
    counts them (a `Tally`); 0 for a folder not made yet, None when they do not read."""
    from rating_tui.store.tally import Tally

    tally = Tally()
    held = len(varied.list(statuses=("draft", "final", "voided"), limit=None, tally=tally))
    found = glance(varied.data_dir)
    assert found is not None and found.held() == held == sum(tally.expected.values())
    assert glance(varied.data_dir.parent / "not-made") is not None
    assert glance(varied.data_dir.parent / "not-made").held() == 0  # type: ignore[union-attr]
    manifest = Layout(varied.data_dir).manifest
    counts = json.loads(manifest.read_text())
    next(iter(counts["shards"].values()))["n"] = -1  # not a count
    manifest.write_text(json.dumps(counts))
    assert found.held() is None


def test_a_parted_month_is_read_in_its_parts(varied: Store) -> None:
    names = Layout(varied.data_dir).shard_names()
    assert any(".p" in n for n in names)  # (else the test above proves less)


def test_an_empty_or_missing_folder_has_no_ratings(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "missing"):
        found = glance(folder)
        assert found is not None and found.records(statuses=("final",), limit=8) == []


def _spoil_marker(root: Path) -> None:
    (root / "store.json").write_text('{"format": 4, "codec": "aesgcm-v1"}')


def _older_format(root: Path) -> None:
    (root / "store.json").write_text('{"format": 3, "codec": "plain"}')


def _no_marker(root: Path) -> None:
    (root / "store.json").unlink()


def _unapplied_journal(root: Path) -> None:
    shard = sorted((root / "ratings").iterdir())[0]
    txn = "0123456789abcdef"
    journal = {"transaction": txn, "files": [f"ratings/{shard.name}"]}
    (root / "journal.json").write_text(json.dumps(journal))
    (shard.parent / f".{shard.name}.{txn}.staged").write_text("{}")


def _journal_elsewhere(root: Path) -> None:
    journal = {"transaction": "0123456789abcdef", "files": ["../outside.json"]}
    (root / "journal.json").write_text(json.dumps(journal))


def _damaged_registry(root: Path) -> None:
    (root / "instruments.json").write_text('{"instruments": {"x@1": {"roles": 3}}}')


@pytest.mark.parametrize(
    "spoil",
    [
        _spoil_marker,
        _older_format,
        _no_marker,
        _unapplied_journal,
        _journal_elsewhere,
        _damaged_registry,
    ],
)
def test_a_folder_that_does_not_read_plainly_gets_no_glance(
    varied: Store, spoil: Callable[[Path], None]
) -> None:
    assert glance(varied.data_dir) is not None
    spoil(varied.data_dir)
    assert glance(varied.data_dir) is None


def test_an_applied_journal_does_not_stop_it(varied: Store) -> None:
    journal = varied.data_dir / "journal.json"
    assert journal.exists()  # this process's last change, applied, kept until the next
    assert glance(varied.data_dir) is not None


@pytest.mark.parametrize(
    "record",
    [None, [], {"id": "other"}, "text"],
)
def test_a_damaged_month_file_is_unclear(varied: Store, record: object) -> None:
    shard = sorted((varied.data_dir / "ratings").iterdir())[-1]
    data = json.loads(shard.read_text())
    first = next(iter(data["ratings"]))
    data["ratings"][first] = record
    shard.write_text(json.dumps(data))
    found = glance(varied.data_dir)
    assert found is not None
    with pytest.raises(Unclear):
        found.records(statuses=("final", "draft", "voided"), limit=10_000)


@pytest.mark.parametrize("content", ["not json", '{"ratings": 3}', "[]"])
def test_an_unreadable_month_file_is_unclear(varied: Store, content: str) -> None:
    shard = sorted((varied.data_dir / "ratings").iterdir())[-1]
    shard.write_text(content)
    found = glance(varied.data_dir)
    assert found is not None
    with pytest.raises(Unclear):
        found.records(statuses=("final", "draft", "voided"), limit=10_000)


def test_a_status_the_store_does_not_know_is_unclear(varied: Store) -> None:
    shard = sorted((varied.data_dir / "ratings").iterdir())[-1]
    data = json.loads(shard.read_text())
    next(iter(data["ratings"].values()))["status"] = "finished"
    shard.write_text(json.dumps(data))
    found = glance(varied.data_dir)
    assert found is not None
    with pytest.raises(Unclear):
        found.records(statuses=("final",), limit=10_000)


def test_it_loads_neither_pydantic_nor_the_store_api(varied: Store) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rating_tui.store.glance import glance\n"
        f"found = glance(Path({str(varied.data_dir)!r}))\n"
        "assert found is not None and found.records(statuses=('final',), limit=8)\n"
        "print(sorted(m for m in ('pydantic', 'rating_tui.store.api', 'tinydb', 'filelock')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_kept_journal_carrying_its_files_is_applied_once_they_hold_its_bytes(
    varied: Store, instrument: Instrument, make_rating: MakeRating
) -> None:
    saved = varied.finalise(make_rating(day="2025-04-22", dyad="D901"), instrument)
    journal = varied.data_dir / "journal.json"
    raw = journal.read_bytes()
    header = json.loads(raw[: raw.index(b"\n")])
    assert header.get("carried")  # a save's journal carries its files' bytes
    found = glance(varied.data_dir)
    assert found is not None
    assert saved.id in [r["id"] for r in found.records(statuses=("final",), limit=5)]
    # A power cut after the journal, before its files were written: the month part still
    # holds its older bytes, which only the store's recovery brings forward.
    month = varied.data_dir / header["files"][0]
    month.write_bytes(month.read_bytes() + b" ")
    assert glance(varied.data_dir) is None


@pytest.mark.parametrize("older", [4, 5, 6])
def test_a_format_4_to_6_folder_is_glanced_like_format_7(varied: Store, older: int) -> None:
    """Format 5 only lets a merged index delta be a node, format 6 adds summaries of the
    months' dyads, format 7 parts of those summaries; the months read the same, and opening
    an older folder does not upgrade it, so Home's quick look takes all four."""
    marker = varied.data_dir / "store.json"
    assert json.loads(marker.read_text())["format"] == 7
    expected = glance(varied.data_dir)
    assert expected is not None
    marker.write_text(f'{{"format": {older}, "codec": "plain"}}')
    found = glance(varied.data_dir)
    assert found is not None
    shown = found.records(statuses=("final", "draft"), limit=8)
    assert shown and shown == expected.records(statuses=("final", "draft"), limit=8)
