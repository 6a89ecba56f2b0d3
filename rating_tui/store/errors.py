"""Everything the store can refuse or fail at, as typed exceptions with messages fit to show.

The CLI and the TUI catch `StoreError` and show `str(error)` as it is: each message names the
file or rating concerned and says what to do. None of them means data was lost: a failed
operation leaves every file as it was before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rating_tui.ratings.validate import RatingProblem


class StoreError(Exception):
    """Base of every store failure; `str(error)` is the message for the user."""


class StoreLockedError(StoreError):
    """Another process held the data folder's lock for longer than the timeout."""


class StoreWriteError(StoreError):
    """A write failed (disk full, read-only folder, no permission); nothing was changed."""

    def __init__(self, message: str, path: Path, errno: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.errno = errno
        self.committed = False
        """True when a transaction was decided (journalled) but not yet completely applied:
        it is then completed when the folder is next opened."""


class StoreReadError(StoreError):
    """A file exists but cannot be read (permissions, I/O error)."""


class StoreCorruptError(StoreError):
    """A data file does not parse. It is never overwritten; the message says how to restore."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class StoreFormatError(StoreError):
    """The data folder was written by a newer or differently configured rating-tui."""


class RatingNotFoundError(StoreError, LookupError):
    """No rating with that id in this data folder."""


class RatingStateError(StoreError):
    """The operation does not fit the rating's status (e.g. editing a voided rating)."""


class ReasonRequiredError(StoreError):
    """Editing a final rating or voiding one needs a reason."""


class InstrumentChangedError(StoreError):
    """An instrument's content changed under a version that already has ratings."""


class RatingConflictError(StoreError):
    """A change would overwrite another: an import with the id of a stored rating but other
    content, or an edit based on a version that someone else has changed since (`who` and
    `at` then say who saved the stored version, and when)."""

    def __init__(self, message: str, *, who: str | None = None, at: datetime | None = None):
        super().__init__(message)
        self.who = who
        self.at = at


class RatingInvalidError(StoreError):
    """The rating does not fit its instrument; `problems` lists every problem."""

    def __init__(self, rating_id: str, problems: Sequence[RatingProblem]) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"rating {rating_id} was not saved:\n{lines}")
        self.rating_id = rating_id
        self.problems = list(problems)
