"""The merge holds a bounded number of ids and ratings whatever the size of the folders:
copies are counted through sorted runs on disk (`Copies`), a month is read for the merge
through runs on disk past `spill.RUN` ratings (`streaming.month_ratings`), and every run's
file is let go after a merge that succeeds, is refused or is interrupted."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from rating_tui.export import merge as merge_module
from rating_tui.export.merge import Copies, Hashed, MergeReport, Source, merge_origins
from rating_tui.export.select import Instruments
from rating_tui.export.sources import StoreSource, merge_folders
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.ratings.model import STATUSES
from rating_tui.store import Store, StoreError, spill
from rating_tui.store.spill import Key, SortedRuns

Make = Callable[..., Rating]


def key(rating: Rating) -> tuple[int, str, str]:
    return (0, str(rating.session.get("session_date", "")), rating.created.isoformat())


class Held:
    """Counts what `SortedRuns` is given to write at a time (the ids or ratings held in
    memory before a run), and the run files it opens."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        self.most = 0
        self.runs = 0
        self.files: list[IO[bytes]] = []
        spill_run = SortedRuns.spill

        def counted(runs: SortedRuns[Any], keys: list[Key], results: list[Any]) -> None:
            self.most = max(self.most, len(results))
            self.runs += 1
            spill_run(runs, keys, results)

        def named() -> IO[bytes]:
            made = (tmp_path / f"run-{len(self.files)}").open("w+b")
            self.files.append(made)
            return made

        monkeypatch.setattr(SortedRuns, "spill", counted)
        monkeypatch.setattr(spill.tempfile, "TemporaryFile", named)

    def all_closed(self) -> bool:
        return all(f.closed for f in self.files)


def folders(make_rating: Make, count: int, seed: int = 3) -> list[list[Rating]]:
    """Three folders of `count` ratings in all: some ids in one, some in two, some in all."""
    rng = random.Random(seed)
    made = [make_rating(day=f"2025-{rng.randint(1, 12):02d}-01") for _ in range(count)]
    made.sort(key=key)
    held: list[list[Rating]] = [[], [], []]
    for rating in made:
        for n in rng.sample(range(3), rng.randint(1, 3)):
            held[n].append(rating)
    return held


def test_copies_hold_a_bounded_number_of_ids_while_counting_many_more(
    make_rating: Make, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(merge_module, "RUN", 40)
    held = Held(monkeypatch, tmp_path)
    made = folders(make_rating, 600)
    sources = [
        Source(f"f{n}", lambda f=f: iter(f), lambda f=f: (r.id for r in f))
        for n, f in enumerate(made)
    ]
    report = MergeReport()
    merged = [r.id for r, _ in merge_origins(sources, key, report)]
    read = sum(len(f) for f in made)
    assert sorted(merged) == sorted({r.id for f in made for r in f})
    assert len(merged) == 600 and report.read == read and report.duplicates == read - 600
    assert held.runs >= read // 40  # the ids went through runs on disk...
    assert held.most <= 40  # ...never more than RUN of them held at once
    assert held.files and held.all_closed()


def test_each_count_is_told_at_its_place_in_its_source(make_rating: Make) -> None:
    a, b, c, d = (make_rating(day=f"2025-0{m}-01") for m in (1, 2, 3, 4))
    folders = [[a, b, c], [b, c, d], [c]]
    sources = [Source(f"f{n}", lambda f=f: list(f)) for n, f in enumerate(folders)]
    copies = Copies.of(sources, MergeReport())
    told = [[copies.count(n, p, r.id) for p, r in enumerate(f)] for n, f in enumerate(folders)]
    assert told == [[1, 2, 3], [2, 3, 1], [3]]
    assert copies.hashed is None
    copies.close()


def test_a_folder_changed_between_the_passes_is_counted_again_and_loses_nothing(
    make_rating: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rating saved in a folder between the passes moves the places of its copies: the
    copy read is not the one counted at its place, so the copies are counted again."""
    a, b, c = (make_rating(day=f"2025-0{m}-01") for m in (1, 2, 3))
    late = make_rating(day="2025-01-15")
    reads = iter([[a, b, c], [a, late, b, c], [a, late, b, c]])
    moving = Source("moving", lambda: next(reads))
    other = Source("other", lambda: [b, c])
    recounts: list[int] = []
    recount = Hashed.of.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Hashed], *args: Any) -> Hashed:
        recounts.append(1)
        return recount(cls, *args)  # type: ignore[no-any-return]

    monkeypatch.setattr(Hashed, "of", classmethod(counted))
    report = MergeReport()
    merged = list(merge_origins([moving, other], key, report))
    assert sorted(r.id for r, _ in merged) == sorted(r.id for r in (a, b, c, late))
    assert (report.read, report.merged, report.duplicates) == (5, 4, 2)
    assert recounts == [1]  # counted again once, when b came at late's place


def month_of(store: Store, instrument: Instrument, make_rating: Make, count: int) -> list[str]:
    ratings = [make_rating(day=f"2025-03-{1 + n % 28:02d}") for n in range(count)]
    random.Random(5).shuffle(ratings)  # saved out of order: the read sorts them
    store.import_ratings(ratings, {instrument.ref: instrument})
    return [r.id for r in sorted(ratings, key=lambda r: (key(r), r.id))]


def test_a_month_is_read_through_runs_on_disk_past_a_run(
    tmp_path: Path,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store.open(tmp_path / "data")
    expected = month_of(store, instrument, make_rating, 90)
    monkeypatch.setattr(spill, "RUN", 20)
    held = Held(monkeypatch, tmp_path)
    got = [r.id for r in store.iter_all(statuses=STATUSES)]
    assert got == expected  # sorted as a month held whole sorted it
    assert held.runs == 4 and held.most == 20  # 90 ratings, never more than 20 held
    assert held.all_closed()


@pytest.mark.parametrize("ending", ["success", "refusal", "interrupt"])
def test_no_run_file_outlives_a_merge(
    tmp_path: Path,
    make_rating: Make,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    ending: str,
) -> None:
    one, two = Store.open(tmp_path / "one"), Store.open(tmp_path / "two")
    month_of(one, instrument, make_rating, 30)
    month_of(two, instrument, make_rating, 30)
    shared = next(iter(one.iter_all()))
    two.import_ratings([shared], {instrument.ref: instrument})
    monkeypatch.setattr(spill, "RUN", 8)
    monkeypatch.setattr(merge_module, "RUN", 8)
    held = Held(monkeypatch, tmp_path)
    target = Store.open(tmp_path / "into")
    if ending != "success":
        error: type[BaseException] = StoreError if ending == "refusal" else KeyboardInterrupt
        calls = iter(range(1_000))

        def take(batches: Iterator[Any], instruments: Any) -> tuple[int, int, int]:
            for _ in batches:
                if next(calls) == 2:
                    raise error("stop")  # a refusal or Ctrl-C in the third batch
            return (0, 0, 0)

        monkeypatch.setattr(target, "merge_batches", take)
    opened = [StoreSource.open(tmp_path / "one"), StoreSource.open(tmp_path / "two")]
    if ending == "success":
        report, stored = merge_folders(opened, target, Instruments([instrument]), 10)
        assert stored == 60 and report.duplicates == 1
    else:
        with pytest.raises(error):
            merge_folders(opened, target, Instruments([instrument]), 10)
    assert held.runs > 0 and held.files and held.all_closed()


class _Folder:
    """A folder as an export of several sees it, plain or encrypted."""

    def __init__(self, name: str, encrypted: bool) -> None:
        self.name, self.encrypted = name, encrypted

    def ratings(self, statuses: object) -> list[Rating]:
        return []

    def refs(self, selection: object) -> set[str]:
        return set()


def test_an_export_of_several_folders_seals_what_it_counts_when_one_is_encrypted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rating_tui.export import job

    given: list[list[Source]] = []

    def merge(sources: list[Source], key: object, report: MergeReport) -> Iterator[Rating]:
        given.append(list(sources))
        return iter(())

    monkeypatch.setattr(job, "merge", merge)
    folders = [_Folder("plain", False), _Folder("sealed", True)]
    list(job.rating_stream(job.ExportRequest(), folders, Instruments({}), MergeReport()))
    assert [(s.name, s.sealed) for s in given[0]] == [("plain", False), ("sealed", True)]
