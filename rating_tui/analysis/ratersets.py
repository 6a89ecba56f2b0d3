"""Which raters rated each session of an item together (a bit mask over the table's raters),
and how many sessions each such set rated: what an item's design is read from
(`design.design_of`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

MASK_CHUNK = 1 << 16
"""Values whose raters' bits are or-ed into their sessions' masks at a time (`rater_sets`)."""


def rater_sets(
    sessions: npt.NDArray[np.signedinteger[Any]],
    raters: npt.NDArray[np.integer[Any]],
    names: list[str],
) -> Counter[int]:
    """How many sessions each set of raters (a bit mask) rated together. Each distinct mask
    is counted once it is sorted: not a Python int per session."""
    if len(sessions) == 0:
        return Counter()
    if len(names) < 63:
        # a mask per session, or-ed in place: no sort of the rows, no copy of them sorted
        bits = np.zeros(int(sessions.max()) + 1, np.int64)
        for start in range(0, len(sessions), MASK_CHUNK):  # not a 64-bit bit per value at once
            end = start + MASK_CHUNK
            bit = np.left_shift(np.int64(1), raters[start:end], dtype=np.int64)
            np.bitwise_or.at(bits, sessions[start:end], bit)
            del bit
        if not bits.all():  # a number missing from `sessions` has no raters
            bits = bits[bits != 0]
        bits.sort()  # in place: not a sorted copy beside it
        starts = np.flatnonzero(np.r_[True, bits[1:] != bits[:-1]])
        sizes = np.diff(np.r_[starts, len(bits)])
        return Counter(dict(zip(bits[starts].tolist(), sizes.tolist(), strict=True)))
    masks: dict[int, int] = {}
    for s_, r in zip(sessions.tolist(), raters.tolist(), strict=True):
        masks[s_] = masks.get(s_, 0) | (1 << r)
    return Counter(masks.values())
