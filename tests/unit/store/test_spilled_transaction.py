"""An import or a merge given a batch at a time is one transaction that holds one batch
(`spilled`): reads after a spill see the staged content; a refusal, a failure or an interrupt
in any batch leaves the folder byte for byte as it was, with no staged file; batches that
touch the same month part and index file end right; the audit log names every rating once,
with each file's final digest; a crash between the journal and the renames is rolled
forward; what the transaction holds at each spill follows the batch, not the import."""

from __future__ import annotations

import errno
import hashlib
import random
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rating_tui import passphrase
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import STATUSES, Rating
from rating_tui.ratings.model import Revision, utc_now
from rating_tui.store import (
    RatingConflictError,
    Store,
    StoreCorruptError,
    StoreWriteError,
    audit,
    engine,
    fileio,
    journal,
    known_ids,
    spilled,
)
from rating_tui.store.convert import encrypt_folder
from rating_tui.store.layout import RATINGS_TABLE, SHARD_LIMIT
from tests.unit.store.conftest import unfinished_journal

Make = Callable[..., Rating]
DAYS = ["2025-01-10", "2025-02-11", "2025-03-12"]


def _ratings(make_rating: Make, count: int, start: int = 0, prefix: str = "") -> list[Rating]:
    out = []
    for n in range(start, start + count):
        rating = make_rating(dyad=f"D{n % 40:03d}", day=DAYS[n % len(DAYS)], number=1 + n % 200)
        if prefix:  # ids under one index file
            rating = rating.replace(id=prefix + str(uuid.uuid4())[len(prefix) :])
        out.append(rating)
    return out


def _batches(ratings: list[Rating], size: int) -> list[list[Rating]]:
    return [ratings[at : at + size] for at in range(0, len(ratings), size)]


def _files(folder: Path) -> dict[Path, bytes]:
    """Every file of the folder with its bytes (the lock file aside)."""
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != ".lock"}


def _staged(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(fileio.STAGED_SUFFIX)]


def _content(store: Store) -> dict[str, Rating]:
    return {r.id: r for r in store.list(statuses=STATUSES, limit=None)}


def _clean(store: Store) -> None:
    assert [f for f in store.check() if f.level != "info"] == []


def _audited_once_with_final_digests(store: Store, ids: set[str]) -> None:
    """The log's chain holds, names every imported rating once, and its last digest of each
    rating file is that of the file's bytes now."""
    log = store.audit_log()
    assert log is not None and log.problems == []
    named = [r["id"] for e in log.entries for r in e.get("ratings", []) if r["id"] in ids]
    assert sorted(named) == sorted(ids)
    digests: dict[str, str] = {}
    for entry in log.entries:
        digests |= entry.get("files", {})
    for month in (store.data_dir / "ratings").glob("*.json"):
        name = f"ratings/{month.name}"
        assert digests[name] == hashlib.sha256(month.read_bytes()).hexdigest(), name


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(files, ratings in them) each spill wrote (the last by the commit): what the
    transaction held at that point."""
    out: list[tuple[int, int]] = []
    real = spilled.Spill.write

    def write(self: spilled.Spill, *args: object) -> None:
        real(self, *args)  # type: ignore[arg-type]
        out.append(self.held[-1])

    monkeypatch.setattr(spilled.Spill, "write", write)
    return out


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_batches_are_one_transaction_audited_once_with_final_digests(
    data_dir: Path,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    held: list[tuple[int, int]],
    encrypted: bool,
) -> None:
    store = Store.open(data_dir)
    stored = store.finalise(make_rating(day="2025-02-01", dyad="D999"), instrument)
    if encrypted:
        encrypt_folder(data_dir, "pw", cost={"n": 2**10, "r": 8, "p": 1})
        monkeypatch.setenv(passphrase.ENV, "pw")
        store = Store.open(data_dir)
    ratings = _ratings(make_rating, 60)
    known = {instrument.ref: instrument}
    result = store.import_batches(_batches(ratings, 8), known)
    assert (result.added, result.unchanged) == (60, 0)
    assert len(held) == 8  # one spill a batch (the last one's by the commit)
    assert not _staged(data_dir) and not unfinished_journal(data_dir)
    reopened = Store.open(data_dir)
    assert _content(reopened) == {stored.id: stored, **{r.id: r for r in ratings}}
    _clean(reopened)
    _audited_once_with_final_digests(reopened, {r.id for r in ratings})
    log = reopened.audit_log()
    assert log is not None
    # One entry per batch, in one transaction, after the save's.
    assert len(log.entries) == 2 + 8 + (1 if encrypted else 0)


def test_reads_after_a_spill_see_the_staged_content_and_nothing_changes_before_commit(
    store: Store, make_rating: Make, instrument: Instrument
) -> None:
    first = store.finalise(make_rating(day="2025-01-10"), instrument)
    before = _files(store.data_dir)
    eng = store._engine
    txn = eng.transaction()
    month = eng.layout.shard("2025-01")
    added = make_rating(day="2025-01-11", number=2).model_dump(mode="json")
    txn.change(month, RATINGS_TABLE, lambda records: records.update({added["id"]: added}))
    txn.spill()
    unstaged = {p: b for p, b in _files(store.data_dir).items() if ".staged" not in p.name}
    assert {p: b for p, b in unstaged.items() if "backups" not in p.parts} == before
    staged = [p for p in _staged(store.data_dir) if p.name.startswith(".2025-01.json.")]
    assert len(staged) == 1
    assert set(txn.records(month, RATINGS_TABLE)) == {first.id, added["id"]}
    text = txn.text(month)
    assert text is not None and added["id"].encode() in text
    assert txn.spilled and month in txn.paths and not txn.held
    newer = make_rating(day="2025-02-11", number=3).model_dump(mode="json")
    february = eng.layout.shard("2025-02")
    assert not txn.will_exist(february)
    txn.put_tables(february, {RATINGS_TABLE: {newer["id"]: newer}})
    assert txn.will_exist(february)
    txn.spill()
    assert txn.will_exist(february) and not february.exists()
    again = make_rating(day="2025-01-12", number=4).model_dump(mode="json")
    txn.change(month, RATINGS_TABLE, lambda records: records.update({again["id"]: again}))
    assert set(txn.records(month, RATINGS_TABLE)) == {first.id, added["id"], again["id"]}
    txn.commit()
    assert set(eng.shard_records("2025-01")) == {first.id, added["id"], again["id"]}
    assert set(eng.shard_records("2025-02")) == {newer["id"]}
    assert not _staged(store.data_dir)


def _refused(store: Store, batches: Iterator[list[Rating]], known: dict[str, Instrument]) -> None:
    with pytest.raises(RatingConflictError):
        store.import_batches(batches, known)


def test_a_refusal_in_a_later_batch_leaves_the_folder_byte_identical(
    store: Store, make_rating: Make, instrument: Instrument, held: list[tuple[int, int]]
) -> None:
    known = {instrument.ref: instrument}
    stored = _ratings(make_rating, 10, start=500)
    store.import_ratings(stored, known)
    before = _files(store.data_dir)
    batches = _batches(_ratings(make_rating, 40), 10)
    batches.append([*_ratings(make_rating, 3, start=900), stored[4].replace(notes="other")])
    _refused(store, iter(batches), known)
    assert len(held) == 4  # the four batches before were spilled, then discarded
    assert _files(store.data_dir) == before
    # A batch repeating one of an earlier batch with other content is refused as well.
    repeated = _batches(_ratings(make_rating, 20, start=100), 10)
    repeated.append([repeated[0][3].replace(notes="changed")])
    _refused(store, iter(repeated), known)
    assert _files(store.data_dir) == before
    # The same content again counts as unchanged.
    again = _batches(_ratings(make_rating, 20, start=200), 10)
    again.append([again[0][3], *_ratings(make_rating, 2, start=300)])
    result = store.import_batches(again, known)
    assert (result.added, result.unchanged) == (22, 1)
    reopened = Store.open(store.data_dir)
    _clean(reopened)
    assert len(_content(reopened)) == 32


def test_an_error_of_the_batches_or_an_interrupt_in_a_spill_changes_nothing(
    store: Store,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = {instrument.ref: instrument}
    store.import_ratings(_ratings(make_rating, 5, start=500), known)
    before = _files(store.data_dir)

    def failing() -> Iterator[list[Rating]]:
        yield _ratings(make_rating, 10)
        yield _ratings(make_rating, 10, start=10)
        raise ValueError("line 21 of the file is not JSON")

    with pytest.raises(ValueError, match="not JSON"):
        store.import_batches(failing(), known)
    assert _files(store.data_dir) == before
    real, calls = fileio.write_new, []

    def interrupted(path: Path, data: bytes, *, durable: bool = True) -> None:
        calls.append(path)
        if len(calls) == 25:
            raise KeyboardInterrupt
        real(path, data, durable=durable)

    monkeypatch.setattr(fileio, "write_new", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.import_batches(_batches(_ratings(make_rating, 60), 10), known)
    assert len(calls) == 25
    assert _files(store.data_dir) == before


def test_a_full_disk_at_any_write_before_the_journal_stores_nothing(
    data_dir: Path, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = {instrument.ref: instrument}
    batches = _batches(_ratings(make_rating, 9), 3)
    real, rename = fileio._write, fileio._replace
    writes, at = 0, 0

    def counting(fd: int, data: memoryview) -> int:
        nonlocal writes
        writes += 1
        return real(fd, data)

    def renaming(source: Path, target: Path) -> None:
        nonlocal at
        rename(source, target)
        if Path(target).name == "journal.json":
            at = writes

    # One rating stored first, the same in every folder: a new id each time could fall under
    # other index files than the batches' and change how many writes come before the journal.
    first = make_rating(day="2025-03-04", dyad="D999")
    Store.open(data_dir).finalise(first, instrument)
    with monkeypatch.context() as patch:
        patch.setattr(fileio, "_write", counting)
        patch.setattr(fileio, "_replace", renaming)
        Store.open(data_dir).import_batches(batches, known)
    assert at > 3 * 6  # months, index files, manifest, summaries, audit lines: per batch
    for fail_at in range(1, at + 1):
        folder = data_dir.parent / f"d{fail_at}"
        store = Store.open(folder)
        store.finalise(first, instrument)
        before = {p: b for p, b in _files(folder).items() if p.name != "journal.json"}
        calls = 0

        def full(fd: int, data: memoryview, fail_at: int = fail_at) -> int:
            nonlocal calls
            calls += 1
            if calls == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(fd, data)

        with monkeypatch.context() as patch:
            patch.setattr(fileio, "_write", full)
            with pytest.raises(StoreWriteError, match="disk is full"):
                store.import_batches(batches, known)
        assert not _staged(folder), fail_at
        reopened = Store.open(folder)
        after = {p: b for p, b in _files(folder).items() if "backups" not in p.parts}
        assert after == {p: b for p, b in before.items() if "backups" not in p.parts}, fail_at
        assert len(_content(reopened)) == 1


def test_batches_into_the_same_month_part_and_index_file_end_right(
    store: Store,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    held: list[tuple[int, int]],
) -> None:
    known = {instrument.ref: instrument}
    store.import_ratings(_ratings(make_rating, 3, prefix="ab"), known)
    # Each batch fills the open part of one month and starts the next; every id falls under
    # index file "ab", whose entries go to deltas merged batch after batch, then compacted.
    ratings = [
        r.replace(session=r.session | {"session_date": "2025-05-05"})
        for r in _ratings(make_rating, 2 * SHARD_LIMIT + 20, start=10, prefix="ab")
    ]
    result = store.import_batches(_batches(ratings, 30), known)
    assert result.added == len(ratings)
    assert len(held) == 5
    reopened = Store.open(store.data_dir)
    _clean(reopened)
    assert all(reopened.get(r.id) == r for r in ratings)
    parts = sorted(p.name for p in (store.data_dir / "ratings").glob("2025-05*.json"))
    assert parts == ["2025-05.json", "2025-05.p1.json", "2025-05.p2.json"]
    _audited_once_with_final_digests(reopened, {r.id for r in ratings})
    report = reopened.rebuild_index()  # (doctor found the index as the months say)
    assert (report.ratings, report.set_aside, report.kept_missing) == (len(ratings) + 3, [], 0)
    _clean(Store.open(store.data_dir))


def test_a_crash_between_the_journal_and_the_renames_is_rolled_forward(
    data_dir: Path, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(data_dir)
    ratings = _ratings(make_rating, 30)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # (the process ends here: the journal is written)

    monkeypatch.setattr(spilled, "apply", crash)
    with pytest.raises(KeyboardInterrupt):
        store.import_batches(_batches(ratings, 10), {instrument.ref: instrument})
    assert unfinished_journal(data_dir)
    found = journal.read_journal(store._engine.layout)
    assert isinstance(found, journal.Journal) and found.staged is not None and not found.audit
    assert _staged(data_dir)  # (the abandon after the journal deleted none of them)
    monkeypatch.undo()
    reopened = Store.open(data_dir)
    assert not _staged(data_dir) and not (data_dir / "journal.json").exists()
    assert _content(reopened) == {r.id: r for r in ratings}
    _clean(reopened)
    _audited_once_with_final_digests(reopened, {r.id for r in ratings})


def _killed(*args: object, **kwargs: object) -> None:
    raise SystemExit(1)  # (the process ends after its journal is written)


def test_a_journal_of_staged_audit_lines_is_checked_before_anything_is_done(
    data_dir: Path, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(data_dir)
    monkeypatch.setattr(spilled, "apply", _killed)
    with pytest.raises(SystemExit):
        store.import_batches(_batches(_ratings(make_rating, 6), 2), {instrument.ref: instrument})
    monkeypatch.undo()
    layout = store._engine.layout
    found = journal.read_journal(layout)
    assert isinstance(found, journal.Journal) and found.staged is not None
    lines = audit.log_path(data_dir).with_name(f".audit.jsonl.{found.txn}.staged")
    lines.write_bytes(lines.read_bytes().replace(b'"n":', b'"m":', 1))
    before = _files(data_dir)
    with pytest.raises(StoreCorruptError, match=r"audit lines \(.*\) are damaged"):
        Store.open(data_dir)
    assert _files(data_dir) == before


def test_what_the_transaction_holds_follows_the_batch_not_the_import(
    data_dir: Path,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    held: list[tuple[int, int]],
) -> None:
    known = {instrument.ref: instrument}
    batch = 100
    peaks = []
    for count in (600, 2000):
        held.clear()
        store = Store.open(data_dir.parent / str(count))
        # Ids drawn from a seeded generator: which index files a batch's ids fall under (and
        # so how many files it holds) would otherwise change from run to run.
        draw = random.Random(count)
        ratings = [
            r.replace(id=str(uuid.UUID(int=draw.getrandbits(128), version=4)))
            for r in _ratings(make_rating, count)
        ]
        store.import_batches(_batches(ratings, batch), known)
        assert len(held) == count // batch
        # At most a batch's ratings, plus the open part of each of its months.
        assert max(r for _, r in held) <= batch + SHARD_LIMIT * len(DAYS)
        peaks.append(max(f for f, _ in held))
        _clean(Store.open(store.data_dir))
    assert peaks[1] <= peaks[0] + 4  # files: the batch's parts, deltas and summaries


def test_a_batch_after_the_first_is_answered_by_the_pending_known_ids(
    store: Store, make_rating: Make, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = store._engine.known
    asked: list[int] = []
    real = engine.presence.absent

    def counting(reader: object, layout: object, ids: list[str]) -> set[str]:
        asked.append(len(list(ids)))
        return real(reader, layout, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.presence, "absent", counting)
    ratings = _ratings(make_rating, 50)
    store.import_batches(_batches(ratings, 10), {instrument.ref: instrument})
    assert (known.active, known.added, known.answered) == (True, 50, 50)
    assert asked == []  # no batch read the index: the filter (and its copy) answered
    assert isinstance(store._engine.transaction(), known_ids.NotingTransaction)


def _merged(stored: Rating, notes: str) -> Rating:
    revision = Revision(
        at=utc_now(), by="AB", reason="merged", action="update", previous=stored.content()
    )
    return stored.replace(notes=notes, revisions=[*stored.revisions, revision])


def test_merge_batches_add_and_replace_in_one_transaction(
    store: Store, make_rating: Make, instrument: Instrument, held: list[tuple[int, int]]
) -> None:
    known = {instrument.ref: instrument}
    stored = _ratings(make_rating, 6, start=700)
    store.import_ratings(stored, known)
    before = _files(store.data_dir)
    new = _ratings(make_rating, 20)
    # A refused copy (it loses the stored version) in the last batch: nothing is written.
    refused = [
        (new[:10], [_merged(stored[0], "a")]),
        (new[10:], [stored[1].replace(notes="lost the stored version")]),
    ]
    with pytest.raises(RatingConflictError, match="does not keep the stored version"):
        store.merge_batches(refused, known)
    assert _files(store.data_dir) == before
    held.clear()
    batches = [
        (new[:10], [_merged(stored[0], "a"), stored[2]]),  # (the same copy: unchanged)
        (new[10:], [_merged(stored[1], "b")]),
        ([new[3]], []),  # (an id of an earlier batch, same content)
    ]
    assert store.merge_batches(batches, known) == (20, 1, 2)
    assert len(held) == 3
    reopened = Store.open(store.data_dir)
    content = _content(reopened)
    assert len(content) == 26
    assert content[stored[0].id].notes == "a" and content[stored[1].id].notes == "b"
    _clean(reopened)
    _audited_once_with_final_digests(reopened, {r.id for r in new})
