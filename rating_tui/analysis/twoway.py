"""The two-way ICC forms of an item (Shrout & Fleiss 1979), which need raters crossed with
sessions: on every session when the design is fully crossed, on the largest complete block
for a fixed team with gaps, and for rotating raters only a statement of that block's size
(`agreement._icc` adds them to the one-way forms)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from rating_tui.analysis import design as designs
from rating_tui.analysis.categorical import Context
from rating_tui.analysis.icc import icc
from rating_tui.analysis.results import MIN_SESSIONS, TWO_WAY, Figure, missing

Matrix = npt.NDArray[np.float64]


def two_way_figures(c: Context) -> list[Figure]:
    """The two-way forms: on all sessions when crossed, on the complete block for a fixed
    team with gaps; for rotating raters, only a statement of the block's size."""
    d = c.design
    block = d.block_raters
    where = f"{d.block_sessions:,} of {d.sessions:,} sessions"
    if d.kind == designs.ROTATING or d.block_sessions < MIN_SESSIONS:
        note = (
            f"needs raters crossed with sessions; the largest complete block holds {where}"
            f" ({', '.join(block) if len(block) <= 3 else f'{len(block)} raters'})"
        )
        return [
            Figure(f, missing(note), d.block_sessions, block, "complete block") for f in TWO_WAY
        ]
    matrix = block_matrix(c, block)
    found = icc(matrix)
    scope = "all sessions" if d.kind == designs.CROSSED else "complete block"
    note = "" if d.kind == designs.CROSSED else f"complete block: {where}"
    k = float(len(block))
    figures = []
    for form in TWO_WAY:
        e = found[form]
        e = replace(e, note=e.note or note) if e.value is not None else e
        figures.append(
            Figure(form, e, len(matrix), block, scope, "F" if e.low is not None else "", k)
        )
    return figures


def block_matrix(c: Context, block: tuple[str, ...]) -> Matrix:
    """The complete sessions x raters matrix of the block's raters and sessions."""
    members = [c.names.index(b) for b in block]
    column_of = np.full(len(c.names), -1, np.int64)
    column_of[members] = np.arange(len(members))
    cols = column_of[c.raters]
    inside = np.bincount(c.sessions[cols >= 0], minlength=c.n) == len(members)
    row_of = np.full(c.n, -1, np.int64)
    row_of[inside] = np.arange(int(inside.sum()))
    keep = (cols >= 0) & (row_of[c.sessions] >= 0)
    matrix = np.full((int(inside.sum()), len(members)), np.nan)
    matrix[row_of[c.sessions[keep]], cols[keep]] = c.x[keep]
    return matrix
