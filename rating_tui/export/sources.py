"""Data folders as export sources: the Store's public API behind the `RatingSource` protocol.

Kept apart so the exporters and the merge run on any iterable of ratings (tests use lists),
and only this adapter knows the Store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any, TypeVar

from rating_tui.export.errors import ExportError
from rating_tui.export.merge import MergeReport, Source, merge
from rating_tui.export.select import Instruments, Selection
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


def merge_folders(
    sources: list[StoreSource], target: Store, instruments: Instruments
) -> tuple[MergeReport, int]:
    """Merge every rating of `sources` (and of `target` itself) into `target`. Returns the
    report and the number of ratings added to or changed in `target`.

    Every rating is checked before anything is written. A merged result that differs from
    `target`'s own copy (a newer copy elsewhere, or a conflict) replaces it, keeping the
    stored version in its history (`Store.replace_merged` refuses otherwise)."""
    own = StoreSource(target, f"{target.data_dir} (--into)")
    stored = {r.id: r for r in own.ratings(STATUSES)}
    everyone = [own, *sources] if stored else sources
    report = MergeReport()
    streams = [Source(s.name, _all_of(s)) for s in everyone]
    result = list(merge(streams, _created, report))
    changed = [r for r in result if r.id in stored and r != stored[r.id]]
    new = [r for r in result if r.id not in stored]
    needed = {r.instrument.ref: instruments.require(r.instrument) for r in [*new, *changed]}
    added, _, replaced = target.merge_ratings(new, changed, needed)  # one transaction
    return report, added + replaced


def _all_of(source: StoreSource) -> Callable[[], Iterable[Rating]]:
    return lambda: source.ratings(STATUSES)


def _created(rating: Rating) -> tuple[int, str, str]:
    return (0, "", rating.created.isoformat())
