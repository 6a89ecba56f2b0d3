"""What one save costs, counted in events (files, bytes, fsyncs, reads), never in seconds: the
part a save rewrites holds at most `SHARD_LIMIT` ratings, a part filled further by an older
version counts as full, a carried file is fsynced once per `CHAIN_MAX` saves, and a save reads
each delta of its id's digit once."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.store import Store, audit, delta_reads, deltas, fileio, settle, shards
from rating_tui.store.layout import SHARD_LIMIT
from tests.unit.store.conftest import INSTRUMENT_FILE

Make = Callable[..., Rating]


class Events:
    """Bytes written, fsyncs and reads through `fileio`'s aliases, by file name."""

    def __init__(self) -> None:
        self.written: Counter[str] = Counter()
        self.fsynced: Counter[str] = Counter()
        self.read: Counter[str] = Counter()
        self.renamed: Counter[str] = Counter()
        """Renames, by the name they give (a rename over an existing file costs about an
        fsync on ext4: see `fileio._swap`)."""
        self.exchanged: Counter[str] = Counter()
        """Names exchanged with a new file's (`fileio._swap`), by the name kept."""
        self.created: list[str] = []
        """Files made (opened with `O_CREAT`), by name."""
        self.names: dict[int, str] = {}

    def clear(self) -> None:
        self.written.clear()
        self.fsynced.clear()
        self.read.clear()
        self.renamed.clear()
        self.exchanged.clear()
        self.created.clear()


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[Events]:
    seen = Events()
    real_open, real_write, real_fsync = fileio._open, fileio._write, fileio._fsync
    real_pwrite, real_replace, real_read = fileio._pwrite, fileio._replace, fileio.read_bytes
    real_exchange = fileio._exchange
    assert real_pwrite is not None

    def opening(path: object, flags: int, mode: int = 0o777) -> int:
        fd = real_open(path, flags, mode)  # type: ignore[call-overload]
        seen.names[fd] = Path(str(path)).name
        if flags & os.O_CREAT:
            seen.created.append(seen.names[fd])
        return fd

    def writing(fd: int, data: bytes) -> int:
        seen.written[seen.names.get(fd, "?")] += len(data)
        return real_write(fd, data)

    def overwriting(fd: int, data: bytes, offset: int) -> int:
        seen.written[seen.names.get(fd, "?")] += len(data)
        return real_pwrite(fd, data, offset)

    def renaming(source: object, target: object) -> None:
        seen.renamed[Path(str(target)).name] += 1
        real_replace(source, target)  # type: ignore[arg-type]

    def exchanging(source: object, target: object) -> None:
        seen.exchanged[Path(str(target)).name] += 1
        assert real_exchange is not None
        real_exchange(source, target)  # type: ignore[arg-type]

    def syncing(fd: int) -> None:
        seen.fsynced[seen.names.get(fd, "?")] += 1
        real_fsync(fd)

    def reading(path: Path, limit: int | None = None) -> bytes | None:
        seen.read[path.name] += 1
        return real_read(path, limit)

    monkeypatch.setattr(fileio, "_open", opening)
    monkeypatch.setattr(fileio, "_write", writing)
    monkeypatch.setattr(fileio, "_fsync", syncing)
    monkeypatch.setattr(fileio, "_pwrite", overwriting)
    monkeypatch.setattr(fileio, "_replace", renaming)
    monkeypatch.setattr(fileio, "_exchange", exchanging)
    monkeypatch.setattr(fileio, "read_bytes", reading)
    yield seen


def test_a_save_rewrites_a_part_of_at_most_shard_limit_and_fsyncs_carried_files_rarely(
    store: Store, make_rating: Make, instrument: Instrument, events: Events
) -> None:
    """Saves into one month, one process: the biggest save writes about twice a full part
    (the journal carries it, then it is written), and the manifest, carried by every save,
    is fsynced once per `CHAIN_MAX` saves (its versions since it was durable are listed), as
    is the audit log (the lines appended since it was fsynced are carried)."""
    count = SHARD_LIMIT + 6
    store.finalise(make_rating(day="2025-03-01", number=count), instrument)
    largest, manifest_fsyncs, log_fsyncs = 0, 0, 0
    for n in range(1, count):
        events.clear()
        store.finalise(make_rating(day=f"2025-03-{1 + n % 28:02d}", number=n), instrument)
        largest = max(largest, sum(events.written.values()))
        manifest_fsyncs += events.fsynced["manifest.json"]
        log_fsyncs += events.fsynced["audit.jsonl"]
    ratings = store.data_dir / "ratings"
    held = {p.name: len(json.loads(p.read_text())["ratings"]) for p in ratings.glob("2025-03*")}
    assert held == {"2025-03.json": SHARD_LIMIT, "2025-03.p1.json": count - SHARD_LIMIT}
    full = (ratings / "2025-03.json").stat().st_size
    line = max(map(len, (store.data_dir / "audit.jsonl").read_bytes().splitlines()))
    # The part twice, the index, the manifest, the audit line, and the audit lines of up to
    # `CHAIN_MAX` - 1 earlier saves, appended without an fsync (`settle.Unsynced.audit`).
    assert full < largest < 2 * full + 16_384 + settle.CHAIN_MAX * line
    saves = count - 1
    assert saves // settle.CHAIN_MAX - 1 <= manifest_fsyncs <= saves // settle.CHAIN_MAX + 1
    assert saves // settle.CHAIN_MAX - 1 <= log_fsyncs <= saves // settle.CHAIN_MAX + 1


def test_a_part_filled_past_the_limit_counts_as_full(
    store: Store,
    make_rating: Make,
    instrument: Instrument,
    events: Events,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A part an older version filled to its limit (256 then, 64 now) takes no more: a new
    rating of its month starts the next part, and the full part is not written."""
    monkeypatch.setattr(shards, "SHARD_LIMIT", 6)
    for n in range(6):
        store.finalise(make_rating(day="2025-05-02", number=n + 1), instrument)
    month = store.data_dir / "ratings" / "2025-05.json"
    before = month.read_bytes()
    monkeypatch.setattr(shards, "SHARD_LIMIT", 4)
    events.clear()
    saved = store.finalise(make_rating(day="2025-05-03", number=9), instrument)
    assert month.read_bytes() == before
    assert events.written["2025-05.json"] == 0
    part = store.data_dir / "ratings" / "2025-05.p1.json"
    assert list(json.loads(part.read_text())["ratings"]) == [saved.id]
    assert store.get(saved.id) == saved
    assert not [f for f in store.check() if f.level in ("error", "warning")]


def test_a_save_reads_each_delta_of_its_digit_once(
    store: Store,
    make_rating: Make,
    instrument: Instrument,
    events: Events,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Locating the new id and placing its entry both ask whether the deltas of its digit
    hold it; the transaction keeps their texts, so each is read once per save, and the
    lookup's answer (`delta_reads.remember`), so each text is searched once."""
    known = {instrument.ref: instrument}
    first = [make_rating(day=f"2025-0{1 + n % 3}-1{n % 10}", number=n + 1) for n in range(32)]
    store.import_ratings(first, known)
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    monkeypatch.setattr(deltas, "MERGE_RATIO", 0)  # two deltas kept apart, not merged
    digit = first[0].id[0]
    for round_ in range(2):  # two deltas of that digit
        more = [
            make_rating(day="2025-04-02", number=100 + 10 * round_ + n).replace(
                id=digit + str(uuid.uuid4())[1:]
            )
            for n in range(3)
        ]
        store.import_ratings(more, known)
    engine = store._engine
    mine = [n for n in deltas.listed(engine.files, engine.layout) if n[0] == digit]
    assert len(mine) == 2
    searched: list[str] = []
    real = delta_reads.lacks

    def lacks(reader: object, layout: object, name: str, *rest: object) -> bool:
        searched.append(name)
        return real(reader, layout, name, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(deltas, "lacks", lacks)  # (the lookup's binding)
    monkeypatch.setattr(delta_reads, "lacks", lacks)  # (placing the entry: `holding`)
    events.clear()
    new = make_rating(day="2025-04-09", number=200).replace(id=digit + str(uuid.uuid4())[1:])
    saved = store.finalise(new, instrument)
    assert {name: events.read[f"{name}.json"] for name in mine} == dict.fromkeys(mine, 1)
    assert sorted(searched) == sorted(mine)  # once each: placing it asked the lookup
    assert store.get(saved.id) == saved


def test_a_save_of_the_default_layout_writes_few_files(
    store: Store, make_rating: Make, instrument: Instrument, events: Events
) -> None:
    """The files one save of a new rating writes: the journal, its part, its index file, the
    manifest and the audit line; nothing else (the daily backups are taken by the first
    change of the day to each file, here the first two saves)."""
    store.finalise(make_rating(day="2025-06-01", number=1), instrument)
    store.finalise(make_rating(day="2025-06-02", number=2), instrument)
    events.clear()
    store.finalise(make_rating(day="2025-06-03", number=3), instrument)
    written = {_kind(name) for name in events.written}
    assert written == {"journal", "2025-06.json", "index", "manifest.json", "audit.jsonl"}
    assert sum(events.fsynced.values()) <= 5 + 3  # (3 more on a save that ends a chain)
    assert (store.data_dir / "journal.json").exists()


def test_a_save_whose_index_file_exists_fsyncs_three_times_and_renames_nothing(
    store: Store, make_rating: Make, instrument: Instrument, events: Events
) -> None:
    """A new rating whose index file exists (every save but the first few of a folder): its
    index file and the manifest are written in place (`journal.in_place`), its part put in
    place of the previous version by exchanging names (`fileio._swap`), and its journal
    written over the spare (the journal before the previous one) and exchanged with the
    previous one (`journal_spare.write_exchanging`): no rename over an existing file, and the only
    file a save makes is its part's (the journal neither made nor freed). The fsyncs are
    three: the previous save's
    index file (written in place: its folder needs none), the journal and the root folder
    (the commit point); the audit line is appended without one, its journal and the next
    ones carry it until the log is fsynced (`settle.Unsynced.audit`). Bytes: the part twice
    (carried, then written), the index file and the manifest twice, the audit lines."""
    saved = [store.finalise(make_rating(day="2025-06-01", number=n), instrument) for n in (1, 2)]
    for n, first in enumerate(saved):  # two more saves into those two index files
        again = make_rating(day="2025-06-02", number=3 + n).replace(id=_twin(first.id))
        store.finalise(again, instrument)
    events.clear()
    last = make_rating(day="2025-06-03", number=5).replace(id=_twin(saved[0].id, 2))
    store.finalise(last, instrument)
    synced = Counter(_kind(name) for name in events.fsynced.elements())
    root = store.data_dir
    assert synced == {"journal": 1, root.name: 1, "index": 1}, synced
    assert dict(events.renamed) == {}
    assert dict(events.exchanged) == {"2025-06.json": 1, "journal.json": 1}  # (`fileio._swap`)
    assert [_kind(name) for name in events.created] == ["2025-06.json"]  # (its temp file)
    assert (root / ".journal.json.spare.tmp").exists()  # (the previous journal, for the next)
    part, leaf = root / "ratings" / "2025-06.json", root / "index" / f"{saved[0].id[:2]}.json"
    files = sum(p.stat().st_size for p in (part, leaf, root / "manifest.json"))
    journal = (root / "journal.json").stat().st_size
    assert sum(events.written.values()) < journal + files + 1_024  # (+ the audit line)
    assert journal > files


def _twin(rating_id: str, n: int = 1) -> str:
    """Another id under the same index file (its first two hex digits)."""
    return rating_id[:2] + str(uuid.UUID(int=uuid.UUID(rating_id).int ^ n))[2:]


def _kind(name: str) -> str:
    """A written file's name without its temporary suffix (`.<name>.<random>.tmp`), index
    files as "index"."""
    if name.startswith(".") and name.endswith(".tmp"):
        name = name[1:].rsplit(".", 2)[0]
    if name == "journal.json":
        return "journal"
    return "index" if re.fullmatch(r"[0-9a-f]{2,8}\.json", name) else name


def test_a_save_follows_the_log_line_it_made_without_parsing_it_again(
    store: Store,
    data_dir: Path,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The audit entry of a save follows the log's last line: the line this process made
    at its previous save is not parsed and hashed again (`audit._heads`); a line another
    process appended since is, and the chain holds either way."""
    store.finalise(make_rating(day="2025-03-01", number=1), instrument)
    parsed: list[str] = []
    real = audit.unseal

    def unseal(line: str, codec: object) -> tuple[str, dict[str, object]]:
        parsed.append(line)
        return real(line, codec)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "unseal", unseal)
    store.finalise(make_rating(day="2025-03-02", number=2), instrument)
    assert parsed == []
    rating = data_dir.parent / "other.json"
    rating.write_text(make_rating(day="2025-03-03", number=3).model_dump_json())
    code = (
        "import sys; from pathlib import Path; from rating_tui.store import Store;"
        "from rating_tui.ratings import Rating;"
        "from rating_tui.instruments.loader import load_instrument;"
        "i = load_instrument(Path(sys.argv[3])).instrument;"
        "Store.open(Path(sys.argv[1])).finalise(Rating.model_validate_json("
        "Path(sys.argv[2]).read_text()), i)"
    )
    other = [sys.executable, "-c", code, str(data_dir), str(rating), str(INSTRUMENT_FILE)]
    subprocess.run(other, check=True)  # another process appends its line
    parsed.clear()
    store.finalise(make_rating(day="2025-03-04", number=4), instrument)
    assert len(parsed) == 1
    monkeypatch.undo()
    log = audit.read(data_dir, store._engine.codec)
    assert log is not None and log.problems == [] and len(log.entries) >= 5
