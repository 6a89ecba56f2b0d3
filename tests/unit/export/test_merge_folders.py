"""`merge_folders` streams: batches of the given size reach `Store.merge_batches`, the target's
own ratings are never kept aside, and the report and stored result do not depend on the batch
size; a refusal in a late batch stores nothing."""

from __future__ import annotations

import gc
import shutil
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from rating_tui.export.merge import MergeReport
from rating_tui.export.select import Instruments
from rating_tui.export.sources import StoreSource, merge_folders
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.ratings.model import STATUSES
from rating_tui.store import Store, StoreError
from tests.unit.export.conftest import INSTRUMENT_FILE

Make = Callable[..., Rating]
Batch = tuple[Sequence[Rating], Sequence[Rating]]


class Counting:
    """A target that reads as `store` and takes batches without storing them; it counts the
    Rating models alive (`alive`) when each batch arrives."""

    def __init__(self, store: Store, alive: Callable[[], int]) -> None:
        self._store, self._alive = store, alive
        self.sizes: list[tuple[int, int]] = []
        self.held: list[int] = []
        self.ids: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def merge_batches(
        self, batches: Iterable[Batch], instruments: Mapping[str, Instrument]
    ) -> tuple[int, int, int]:
        for new, merged in batches:
            gc.collect()
            self.held.append(self._alive())
            self.sizes.append((len(new), len(merged)))
            self.ids += [r.id for r in [*new, *merged]]
            assert all(r.instrument.ref in instruments for r in [*new, *merged])
        return sum(n for n, _ in self.sizes), 0, sum(m for _, m in self.sizes)


def folder(path: Path, ratings: Iterable[Rating], instrument: Instrument) -> Path:
    store = Store.open(path)
    for rating in ratings:
        store.finalise(rating, instrument)
    return path


def edit(store: Store, rating_id: str, notes: str, instrument: Instrument, by: str) -> None:
    store.update(store.get(rating_id).replace(notes=notes), instrument, by=by, reason="fix")


def sources(*paths: Path) -> list[StoreSource]:
    return [StoreSource.open(p) for p in paths]


def everything(path: Path) -> list[str]:
    return sorted(r.model_dump_json() for r in Store.open(path).iter_all(statuses=STATUSES))


@pytest.fixture
def office(tmp_path: Path, make_rating: Make, instrument: Instrument) -> Path:
    """Eight final ratings (one of them voided)."""
    days = [f"2025-0{m}-0{d}" for m in (1, 2, 3, 4) for d in (1, 2)]
    path = folder(tmp_path / "office", [make_rating(day=d) for d in days], instrument)
    store = Store.open(path)
    store.void(next(iter(store.iter_all())).id, by="AB", reason="wrong dyad")
    return path


@pytest.fixture
def diverged(tmp_path: Path, office: Path, instrument: Instrument) -> tuple[Path, Path]:
    """Two copies of `office`: one edited (older copies elsewhere), both editing one rating
    (a conflict)."""
    laptop = Path(shutil.copytree(office, tmp_path / "laptop"))
    home = Path(shutil.copytree(office, tmp_path / "home"))
    finals = [r for r in Store.open(laptop).iter_all() if r.status == "final"]
    for r in finals[:3]:
        edit(Store.open(laptop), r.id, f"laptop {r.id}", instrument, "AB")
    edit(Store.open(home), finals[0].id, "home", instrument, "CD")
    return laptop, home


def test_merged_ratings_reach_the_store_in_batches_of_the_given_size(
    tmp_path: Path, office: Path, make_rating: Make, instrument: Instrument
) -> None:
    more = folder(tmp_path / "more", [make_rating(day="2025-06-01") for _ in range(3)], instrument)
    target = Counting(Store.open(tmp_path / "new"), lambda: 0)
    report, stored = merge_folders(sources(office, more), target, Instruments([instrument]), 3)  # type: ignore[arg-type]
    assert target.sizes == [(3, 0), (3, 0), (3, 0), (2, 0)]
    assert stored == 11 and len(set(target.ids)) == 11
    assert report.summary() == "read 11, merged 11, duplicates 0, older copies 0, conflicts 0"


def test_the_target_s_own_ratings_are_not_kept_aside(
    tmp_path: Path, office: Path, make_rating: Make, instrument: Instrument, monkeypatch: Any
) -> None:
    """Merging into a folder of 30 ratings: when a batch of 3 reaches the store, only that
    batch and the few ratings the merge is comparing are alive, never the folder's 30."""
    into = folder(tmp_path / "into", [make_rating(day="2025-05-01") for _ in range(30)], instrument)
    made: list[weakref.ref[Rating]] = []
    read = Store._rating

    def counted(self: Store, record: dict[str, Any], shard: str) -> Rating:
        rating = read(self, record, shard)
        made.append(weakref.ref(rating))
        return rating

    monkeypatch.setattr(Store, "_rating", counted)
    target = Counting(Store.open(into), lambda: sum(r() is not None for r in made))
    report, _ = merge_folders(sources(office), target, Instruments([instrument]), 3)  # type: ignore[arg-type]
    # each rating built once (the target is read once, not three times), and one more to see
    # whether the target holds any
    assert len(made) == 38 + 1
    assert target.sizes == [(3, 0), (3, 0), (2, 0)]
    assert max(target.held) <= 3 + 2  # the batch, and the head of each folder's stream
    assert report.summary() == "read 38, merged 38, duplicates 0, older copies 0, conflicts 0"


CASES = {
    "one folder into a new one": (["office"], None, "read 8, merged 8, duplicates 0", 8),
    "identical copies": (["office", "copy"], None, "read 16, merged 8, duplicates 8", 8),
    "diverged copies and a conflict": (
        ["office", "laptop", "home"],
        None,
        "read 24, merged 8, duplicates 12, older copies 2, conflicts 1",
        8,
    ),
    "into a folder that holds older copies": (
        ["laptop", "home"],
        "copy",
        "read 24, merged 8, duplicates 12, older copies 2, conflicts 1",
        3,
    ),
    "into a folder that holds the conflict": (
        ["laptop"],
        "home",
        "read 16, merged 8, duplicates 5, older copies 2, conflicts 1",
        3,
    ),
    "into an identical folder": (["office"], "copy", "read 16, merged 8, duplicates 8", 0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_report_and_the_result_do_not_depend_on_the_batch_size(
    tmp_path: Path, office: Path, diverged: tuple[Path, Path], instrument: Instrument, case: str
) -> None:
    names, into, summary, changed = CASES[case]
    shutil.copytree(office, tmp_path / "copy")
    results: list[tuple[MergeReport, int, list[str]]] = []
    for size in (2, 3, 10_000):
        target = tmp_path / "into"  # the same name each time: it is in the report
        shutil.rmtree(target, ignore_errors=True)
        if into:
            shutil.copytree(tmp_path / into, target)
        report, stored = merge_folders(
            sources(*(tmp_path / n for n in names)),
            Store.open(target),
            Instruments([instrument]),
            size,
        )
        results.append((report, stored, everything(target)))
    assert results[0] == results[1] == results[2]
    report, stored, _ = results[0]
    assert report.summary().startswith(summary) and stored == changed
    assert len(results[0][2]) == 8  # the voided rating too


def spy_on(store: Store) -> list[list[str]]:
    """The ids of each batch `store.merge_batches` takes, as it takes them."""
    taken: list[list[str]] = []
    merge_batches = store.merge_batches

    def spy(batches: Iterable[Batch], instruments: Mapping[str, Instrument]) -> Any:
        def counted() -> Iterable[Batch]:
            for batch in batches:
                taken.append([r.id for r in [*batch[0], *batch[1]]])
                yield batch

        return merge_batches(counted(), instruments)

    store.merge_batches = spy  # type: ignore[method-assign]
    return taken


def test_a_refusal_in_a_late_batch_stores_nothing(
    tmp_path: Path, office: Path, make_rating: Make, instrument: Instrument
) -> None:
    """A folder holds a rating made with other content under the same id@version, created
    last: the batches before it were taken, yet neither a new folder nor an existing one
    gains or changes anything (one transaction)."""
    other = parse_instrument(
        INSTRUMENT_FILE.read_text().replace("title = ", 'title = "changed" #', 1), "other"
    )
    late = make_rating(of=other, day="2025-09-09")
    late = late.replace(created=late.created + timedelta(days=30))
    laptop = folder(tmp_path / "laptop", [late], other)
    mine = [make_rating(day="2025-07-01") for _ in range(4)]
    existing = folder(tmp_path / "existing", mine, instrument)
    before = everything(existing)
    for into in (tmp_path / "new", existing):
        store = Store.open(into)
        taken = spy_on(store)
        opened = sources(office, laptop)
        instruments = Instruments([instrument])
        for source in opened:
            instruments.add_kept(source.store.stored_instruments())
        with pytest.raises(StoreError, match="was not saved"):
            merge_folders(opened, store, instruments, 2)
        assert len(taken) >= 4 and late.id in taken[-1]  # refused after 4 batches or more
        assert everything(into) == (before if into == existing else [])


def test_the_collector_runs_less_often_during_the_merge_only(
    tmp_path: Path, office: Path, instrument: Instrument
) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    target = Counting(Store.open(tmp_path / "new"), lambda: seen.append(gc.get_threshold()) or 0)
    merge_folders(sources(office), target, Instruments([instrument]), 3)  # type: ignore[arg-type]
    assert seen and all(t[0] > before[0] for t in seen)
    assert gc.get_threshold() == before
