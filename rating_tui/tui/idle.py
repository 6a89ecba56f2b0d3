"""When the app locks an encrypted data folder after a pause (issue 16), and how long the pause
is: `--lock-after MINUTES`, else `$RATING_TUI_LOCK_AFTER`, else 10 minutes; 0 never locks.

The idle time is measured with an injected clock, so the tests move the clock and call the
check rather than wait. Plain folders have nothing to lock: a pause given for one is named
as not used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ENV = "RATING_TUI_LOCK_AFTER"
DEFAULT_MINUTES = 10
MAX_MINUTES = 24 * 60
CHECK_EVERY = 10.0
"""Seconds between two looks at the idle time (a lock comes at most this late)."""


@dataclass(frozen=True)
class LockAfter:
    """Minutes without a key press or a mouse event before the folder locks (0: never)."""

    minutes: int = DEFAULT_MINUTES
    given: str | None = None
    """Where the value came from ("--lock-after 5", "RATING_TUI_LOCK_AFTER=5"); None for
    the default."""


def lock_after(option: int | None) -> LockAfter:
    """The pause from the option, else the environment, else the default; `ValueError` with
    a message naming the variable when its value is not a whole number of minutes."""
    if option is not None:
        return LockAfter(option, f"--lock-after {option}")
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return LockAfter()
    try:
        minutes = int(raw)
    except ValueError:
        minutes = -1
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValueError(
            f"{ENV}={raw!r} is not a number of minutes: expected a whole number from 0 (never "
            f"lock) to {MAX_MINUTES}"
        )
    return LockAfter(minutes, f"{ENV}={minutes}")


@dataclass
class IdleClock:
    """The time of the last key press or mouse event, against `setting.minutes`."""

    setting: LockAfter = field(default_factory=LockAfter)
    clock: Callable[[], float] = time.monotonic
    last: float = 0.0
    locked: bool = False

    def __post_init__(self) -> None:
        self.last = self.clock()

    def touched(self) -> None:
        self.last = self.clock()

    def due(self) -> bool:
        """True when the app should lock now (not already locked, and a pause is set)."""
        minutes = self.setting.minutes
        return bool(minutes) and not self.locked and self.clock() - self.last >= minutes * 60
