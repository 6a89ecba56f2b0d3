"""Data folders as export sources: the Store's public API behind the `RatingSource` protocol.

Kept apart so the exporters and the merge run on any iterable of ratings (tests use lists),
and only this adapter knows the Store.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Generator, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from rating_tui.export.errors import ExportError
from rating_tui.export.merge import MergeReport, Source, merge_origins
from rating_tui.export.select import Instruments, Selection
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.model import STATUSES, Rating, Status
from rating_tui.store import Store, Tally

T = TypeVar("T")


class StoreSource:
    """One data folder, opened read-mostly (opening only cleans up crashed writers' temps)."""

    def __init__(self, store: Store, name: str | None = None) -> None:
        self.store = store
        self.name = name or str(store.data_dir)
        self.tally = Tally()
        """Whether the last full read found every rating the folder counts."""

    @property
    def encrypted(self) -> bool:
        return self.store.encrypted

    @classmethod
    def open(cls, folder: Path) -> StoreSource:
        """Open an existing data folder; a missing one is an error, never created."""
        if not (folder / "store.json").is_file():
            raise ExportError(
                f"{folder} is not a rating-tui data folder (it has no store.json); "
                "give the folder that holds ratings/ and store.json"
            )
        return cls(Store.open(folder), str(folder))

    def ratings(self, statuses: Collection[Status]) -> Iterable[Rating]:
        return self.store.iter_all(statuses=statuses, tally=self.tally)

    def records(
        self, read: Callable[[dict[str, Any]], T | None], statuses: Collection[Status]
    ) -> Iterable[T]:
        """`read` of each stored record, as `ratings` orders them (`Store.iter_records`):
        the fast path of the CSV tables and JSON Lines. `read` is called in the order of each
        month's files (only its results wait for the month to be sorted): the exports'
        readers have no effect that depends on the order of their calls."""
        return self.store.iter_records(
            read, statuses=statuses, tally=self.tally, read_in_file_order=True
        )

    def warning(self) -> str | None:
        """What the last read of this folder lacked, in words with counts (None: nothing);
        every result that rests on the stored ratings shows it where it is shown."""
        return self.tally.warning(self.name)

    def refs(self, selection: Selection) -> set[str]:
        """Instrument versions with at least one rating matching `selection` (reads months
        newest first and stops at the first match, like the app's list)."""
        found = set()
        for ref in self.store.instruments_used():
            instrument_id, _, version = ref.partition("@")
            if not selection.wants_ref(instrument_id, version):
                continue
            hit = self.store.list(
                instrument=ref,
                dyad=selection.dyad,
                rater=selection.rater,
                date_from=selection.date_from,
                date_to=selection.date_to,
                statuses=selection.statuses,
                limit=1,
            )
            if hit:
                found.add(ref)
        return found


BATCH = 10_000
"""Merged ratings handed to the store at a time (`Store.merge_batches`)."""


def merge_folders(
    sources: list[StoreSource], target: Store, instruments: Instruments, batch: int = BATCH
) -> tuple[MergeReport, int]:
    """Merge every rating of `sources` (and of `target` itself) into `target`. Returns the
    report and the number of ratings added to or changed in `target`.

    The merge is streamed (`merge_origins`) and stored `batch` ratings at a time in one
    transaction (`Store.merge_batches`): all of it or, on any refusal, none. `target`'s own
    ratings are merged as one more source; a result is new when `target` held no copy of its
    id, changed when it differs from `target`'s copy, and otherwise left alone, so nothing of
    `target` is kept aside. A changed result replaces the stored copy, keeping it in its
    history (`Store.merge_batches` refuses otherwise)."""
    with fewer_collections():
        return _merge_folders(sources, target, instruments, batch)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often while a bulk read goes on (restored after).

    A read parses a whole month of records (30,000 in a busy month of 1M demo-data) and holds a
    batch of 10,000 `Rating` models; the collector's default thresholds walk all of them again
    and again as the next ones are made, so a rating cost more the bigger the month: reading 1M
    demo-data took 14x the time of 100k (107 vs 7.6 s, loaded), 9.6x with these thresholds (68
    vs 7.1 s). Young objects are still collected; what is freed by reference counting (nearly
    everything a read makes) is freed as before."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _merge_folders(
    sources: list[StoreSource], target: Store, instruments: Instruments, batch: int
) -> tuple[MergeReport, int]:
    own = StoreSource(target, f"{target.data_dir} (--into)")
    holds = bool(target.list(statuses=STATUSES, limit=1))
    everyone = [own, *sources] if holds else sources
    report = MergeReport()
    streams = [Source(s.name, _all_of(s), _ids_of(s), s.store.encrypted) for s in everyone]
    results = merge_origins(streams, _created, report)
    needed: dict[str, Instrument] = {}
    batches = _batches(results, holds, instruments, needed, batch)
    try:
        added, _, replaced = target.merge_batches(batches, needed)  # one transaction
    finally:  # refused or interrupted: the runs' files go now, not when collected
        batches.close()
        results.close()
    return report, added + replaced


def _batches(
    results: Iterable[tuple[Rating, Rating | None]],
    holds: bool,
    instruments: Instruments,
    needed: dict[str, Instrument],
    size: int,
) -> Generator[tuple[list[Rating], list[Rating]], None, None]:
    """(new, changed) ratings, `size` of them a batch (at least one batch, maybe empty, as the
    store's transaction is opened either way). The instruments of a batch's ratings are added
    to `needed` before the batch is given: the store checks each batch as it takes it."""
    new: list[Rating] = []
    changed: list[Rating] = []
    given = False
    for rating, stored in results:
        if not holds or stored is None:
            new.append(rating)
        elif rating != stored:
            changed.append(rating)
        else:
            continue
        if len(new) + len(changed) == size:
            _require(new, changed, instruments, needed)
            yield new, changed
            new, changed, given = [], [], True
    if new or changed or not given:
        _require(new, changed, instruments, needed)
        yield new, changed


def _require(
    new: list[Rating],
    changed: list[Rating],
    instruments: Instruments,
    needed: dict[str, Instrument],
) -> None:
    for rating in [*new, *changed]:
        if rating.instrument.ref not in needed:
            needed[rating.instrument.ref] = instruments.require(rating.instrument)


def _ids_of(source: StoreSource) -> Callable[[], Iterable[str]]:
    return lambda: source.records(_id, STATUSES)


def _id(record: dict[str, Any]) -> str | None:
    found = record.get("id")
    return found if isinstance(found, str) else None


def _all_of(source: StoreSource) -> Callable[[], Iterable[Rating]]:
    return lambda: source.ratings(STATUSES)


def _created(rating: Rating) -> tuple[int, str, str]:
    return (0, "", rating.created.isoformat())
