"""An item's per-session sums grouped into runs of equal rows a range of sessions at a time
(`grouped_ranged`), for parts whose sums can be made so (`Remade.ranged`: alpha's).

`parts.grouped` makes each part's whole matrix three times (for the sort key, to compare
neighbours in key order, for the runs' rows): at a million ratings of the demo data 5.4 MiB
each time, beside its sort order; the largest step of agreement's memory. Here each range
of sessions is made once: its rows add to the same key (a row's product with the weights is
the same float in any matrix: checked by a test), and each distinct row gets a number (rows
of doubles without NaN or -0.0 are equal exactly when their bytes are). Sessions next to each
other in key order then begin a new run exactly when their numbers differ, which is where
`parts.grouped` finds rows that differ: the same order, runs and rows of sums.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from rating_tui.analysis.parts import (
    MAX_RUNS_SHARE,
    RANGE,
    Grouped,
    Part,
    Remade,
    Sums,
    key_weights,
    row_type,
    spread,
)


class _Numbered:
    """A number for each distinct row met (by its bytes), and the rows by number."""

    def __init__(self) -> None:
        self.number: dict[bytes, int] = {}
        self.rows: list[npt.NDArray[np.generic]] = []

    def of(self, rows: npt.NDArray[np.generic]) -> npt.NDArray[np.int32]:
        """Each of `rows`' number (a row met before keeps its number)."""
        rows = np.ascontiguousarray(rows)
        as_bytes = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
        distinct, first, inverse = np.unique(as_bytes, return_index=True, return_inverse=True)
        numbers = np.empty(len(distinct), np.int32)
        for i, (raw, at) in enumerate(zip(distinct.tolist(), first.tolist(), strict=True)):
            found = self.number.setdefault(raw, len(self.rows))
            if found == len(self.rows):
                self.rows.append(rows[at].copy())
            numbers[i] = found
        out: npt.NDArray[np.int32] = numbers[inverse.ravel()]
        return out


def grouped_ranged(parts: Sequence[Sums | Remade], sessions: int) -> list[Part] | None:
    """What `parts.grouped(parts, sessions)` gives, when every part is `Remade` with a
    `ranged` maker over the same sessions (see the module's docstring); else None, and None
    where a row holds NaN or -0.0 (equal values with other bytes): `parts.grouped` then
    compares the rows themselves."""
    makers = [p.ranged if isinstance(p, Remade) else None for p in parts]
    n = len(parts[0].rows) if parts else 0
    if n < 2 or any(
        m is None or p.rows is not parts[0].rows for p, m in zip(parts, makers, strict=True)
    ):
        return None
    key = np.zeros(n)
    joint = np.empty(n, np.int32)  # each session's number of its rows in every part at once
    each = [_Numbered() for _ in parts]
    rows_of_all = _Numbered()
    for begin in range(0, n, RANGE):
        end = min(begin + RANGE, n)
        numbers = np.empty((end - begin, len(parts)), np.int32)
        for j, make in enumerate(makers):
            assert make is not None
            rows = make(begin, end)
            if np.isnan(rows).any() or (np.signbit(rows) & (rows == 0)).any():
                return None
            key[begin:end] += rows @ key_weights(rows.shape[1])
            numbers[:, j] = each[j].of(rows)
            del rows
        joint[begin:end] = rows_of_all.of(numbers)
        del numbers
        if len(rows_of_all.rows) > MAX_RUNS_SHARE * n:  # as many runs at least: spread
            return [spread(p, sessions) for p in parts]
    order = np.argsort(key, kind="stable")
    del key
    new = np.empty(n, bool)
    new[0] = True
    for begin in range(1, n, RANGE):  # each session compared with the one before
        at = order[begin - 1 : begin + RANGE]
        new[begin : begin + len(at) - 1] = joint[at[1:]] != joint[at[:-1]]
    starts = np.flatnonzero(new)
    del new
    if len(starts) > MAX_RUNS_SHARE * n:
        return [spread(p, sessions) for p in parts]
    in_runs = np.array(rows_of_all.rows)[joint[order[starts]]]  # each run's numbers
    in_order = parts[0].rows[order].astype(row_type(sessions))
    del order, joint
    return [
        Grouped(in_order, starts, np.array([numbered.rows[k] for k in in_runs[:, j].tolist()]))
        for j, numbered in enumerate(each)
    ]
