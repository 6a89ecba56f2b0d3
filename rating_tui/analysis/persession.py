"""Per-session sums of an item's values, a chunk of values at a time (`oneway_sums` and
`alpha_sums` build their columns with these).

`np.bincount(units, weights=x)` adds each session's values in the order given, starting from
0.0; so does `np.add.at` into zeros, and so it does a chunk of values after another, each
chunk continuing the sums the previous ones left. These functions give those same sums (the
same floats, bit for bit), but hold only a chunk's centred values and one vector of the
sessions' sums beside the result: bincount made a 64-bit copy of the sessions (8 bytes a
value) and a vector of its own, and the centred values and their squares were made for every
value at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Units = npt.NDArray[np.integer[Any]]
CHUNK = 1 << 16
"""Values centred, squared and added at a time."""


def counts_of(units: Units, sessions: int) -> npt.NDArray[np.int32]:
    """How many of `units` fall on each session 0..`sessions`-1 (32-bit): np.bincount's
    counts, without its 64-bit copy of `units`."""
    counts = np.zeros(sessions, np.int32)
    for start in range(0, len(units), CHUNK):
        np.add.at(counts, units[start : start + CHUNK], np.int32(1))
    return counts


def centred_sums(
    units: Units,
    values: Vector,
    center: float | np.float64,
    sums: Vector,
    squares: Vector,
    transform: Callable[[Vector], Vector] | None = None,
) -> None:
    """Write into `sums` and `squares` (a session each, e.g. columns of a result) each
    session's sum of `x - center` and of `(x - center) ** 2`, x being `values` (or
    `transform` of them, element by element): the same floats as
    `np.bincount(units, weights=x - center)` and of the squares, a chunk at a time (added
    straight into `sums` or `squares` where it is a vector of its own, else into one vector
    copied there: a column of a matrix is strided, off numpy's fast path)."""
    acc: Vector | None = None
    for square, into in ((False, sums), (True, squares)):
        if into.ndim == 1 and into.flags.c_contiguous:
            into.fill(0.0)  # added into in place: the same floats as into zeros copied here
            target = into
        elif acc is None:
            target = acc = np.zeros(len(into))
        else:
            acc.fill(0.0)
            target = acc
        for start in range(0, len(values), CHUNK):
            end = start + CHUNK
            taken = values[start:end] if transform is None else transform(values[start:end])
            part = np.subtract(taken, center)  # a new array: `taken` may be `values`' view
            del taken
            if square:
                np.square(part, out=part)  # what x ** 2 gives
            # contiguous 1-D target: numpy's fast path (a column of the result is strided)
            np.add.at(target, units[start:end], part)
            del part
        if target is not into:
            into[:] = target
