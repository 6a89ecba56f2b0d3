"""Does a full read of the folder rest on every rating it holds? Checked as the read goes.

The manifest counts the ratings of each month in the same transaction that writes them
(`index._count`), so a month that yields fewer ratings than the manifest counts has lost some
(a file emptied, replaced by an older one, a part of a split month gone): `doctor` reports the
same shortfall with the ids. The check costs nothing extra: the counts are read with the
snapshot, under the same lock, and the ratings of each month are counted as they are parsed.
A crash leftover is never taken for a loss: the lock rolls an interrupted transaction forward
before the snapshot is taken; where it cannot (a read-only folder), the check is not made and
`unchecked` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rating_tui.store import journal
from rating_tui.store.errors import StoreError
from rating_tui.store.layout import SHARD_COUNTS, month_of

if TYPE_CHECKING:
    from rating_tui.store.engine import Engine


@dataclass
class Tally:
    """Ratings read per month, against the manifest's counts; pass one to `Store.iter_all`
    or `Store.iter_records` and ask it after the read (`missing`, `warning`)."""

    expected: dict[str, int] = field(default_factory=dict)
    """month -> ratings the manifest counts in it (as the snapshot was taken)."""
    read: dict[str, int] = field(default_factory=dict)
    """month -> ratings found in its files (every status), for the months read so far."""
    complete: bool = False
    """True once every month of the snapshot was read (a read stopped early checks only the
    months it reached)."""
    unchecked: str | None = None
    """Why the counts could not be compared (None: they could)."""
    left_out: dict[str, int] = field(default_factory=dict)
    """status -> ratings of the months read that the read's statuses left out (an export of
    final ratings says how many drafts and voided ratings the folder also holds); with
    `keeps`, only those it keeps."""
    keeps: Callable[[dict[str, Any]], bool] | None = None
    """The read's other filters, on a stored record (an export's --dyad, --rater...): a
    rating left out by its status is counted in `left_out` only when they keep it, so that
    "not exported: 3 draft(s)" is true of the dyad asked for, not of the whole folder. It may
    raise KeyError, TypeError or AttributeError for a record not in the stored form (it is
    then asked about the record's validated dump). None: every one is counted."""

    def freeze(self, engine: Engine) -> None:
        """Take the manifest's counts; called under the lock that takes the snapshot."""
        self.expected, self.read, self.complete, self.unchecked = {}, {}, False, None
        self.left_out = {}
        layout = engine.layout
        try:
            if journal.unfinished(layout, engine.files.unsynced) is not None:
                self.unchecked = (
                    "a change interrupted by a crash is still to be completed (the folder is "
                    "read-only), so the ratings could not be counted"
                )
                return
            counts = engine.files.records(layout.manifest, SHARD_COUNTS)
        except StoreError as exc:
            self.unchecked = f"the ratings could not be counted: {exc}"
            return
        for month, entry in counts.items():
            number = entry.get("n") if isinstance(entry, dict) else None
            if isinstance(number, int) and number > 0:
                self.expected[str(month)] = number

    def add(self, shard: str, ratings: int) -> None:
        """Count the ratings found in one shard file of the snapshot."""
        month = month_of(shard)
        self.read[month] = self.read.get(month, 0) + ratings

    def missing(self) -> dict[str, int]:
        """month -> ratings the manifest counts there but the read did not find."""
        if self.unchecked is not None:
            return {}
        return {
            month: number - self.read.get(month, 0)
            for month, number in sorted(self.expected.items())
            if (self.complete or month in self.read) and self.read.get(month, 0) < number
        }

    def shortfall(self, shown: int) -> tuple[int, str] | None:
        """(ratings missing, "MONTH: n" for the first `shown` months), or None when none is
        missing (or they could not be counted: see `unchecked`)."""
        gone = self.missing()
        if not gone:
            return None
        months = ", ".join(f"{m}: {n}" for m, n in list(gone.items())[:shown])
        return sum(gone.values()), months + (", ..." if len(gone) > shown else "")

    def warning(self, folder: object) -> str | None:
        """One sentence for the user when ratings are missing (or could not be counted), with
        the counts; None when the read rests on every stored rating."""
        if self.unchecked is not None:
            return f"{folder}: {self.unchecked}; run `rating-tui doctor`"
        short = self.shortfall(6)
        if short is None:
            return None
        total, months = short
        return (
            f"{folder}: {total} rating(s) the index lists were not found in their month files "
            f"({months}), so this result leaves them out; run `rating-tui doctor "
            f"--data {folder}` to see which and the backup that holds them"
        )
