"""One instrument's `SessionTable` as `stored` fills it, in the store's order.

`Table.add` places a rating's bytes (`storedcode.HEAD` and a byte per item) exactly as
`pairing._Builder.add` places its parts: the sessions and (session, rater) rows looked up in
dictionaries of the current date's run only, the newest rating of a (session, rater) kept.
The item codes of the latest rows wait in one block (`BLOCK_ROWS` rows) and are then moved
into the columns, so that the table's codes are never held twice (they were kept a row
after another and split into columns at the end: at a million ratings 7 MiB on top of the
reading's peak); the session key's parts are 16-bit codes from the start (the dyad's too,
1.5 MiB less at a million ratings), the rows' raters a byte each up to 256 raters.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rating_tui.analysis.columns import CodedRows, ItemColumn, Texts
from rating_tui.analysis.storedcode import HEAD, PART_BITS, Fallback, Version
from rating_tui.instruments.catalogue import semver_key

if TYPE_CHECKING:
    from rating_tui.analysis.stored import _Reader

BLOCK_ROWS = 16384
"""Rows whose item codes wait before they are moved into the columns (112 kB for the demo
data's seven items)."""
NARROW = 1 << 16
"""Distinct texts of a session key's part that its 16-bit codes hold."""
RATERS_IN_A_BYTE = 256
"""Raters whose rows' codes are held a byte each while reading: at a million ratings 2.8 MiB
less than 32-bit codes at the reading's peak (`keep_counts_only` narrowed them only once
reading was done)."""


class Table:
    """One instrument's `SessionTable`, filled in the store's order as `_Builder` fills it."""

    def __init__(self, reader: _Reader, version: Version) -> None:
        from rating_tui.analysis.sessiontable import SessionTable

        self.reader = reader
        self.table = SessionTable(version.instrument.id)
        self.table.dyad_first = version.roles[0]
        self.parts = len(version.key_fields)
        self.table.session_codes = [array("H") for _ in range(self.parts)]
        """Each part's codes 16-bit until a code needs more (`NARROW`)."""
        self.table.row_rater = array("B")
        """A byte a row until a 257th rater is met (`RATERS_IN_A_BYTE`), then 32-bit."""
        self.texts: list[list[str]] = [[] for _ in range(self.parts)]
        self.scales = list(version.scales)
        self.newest = [version.instrument.version] * len(self.scales)
        self.columns = [ItemColumn() for _ in self.scales]
        """Each item's codes (-1 none, -2 `CODED`), moved in from `cells` a block at a time."""
        self.cells = bytearray()
        """The latest rows' item codes, a row after another, up to `BLOCK_ROWS` rows."""
        self.moved = 0
        """Rows moved into the columns."""
        self.add = self._adder(version.run_part)

    def plan(self, version: Version) -> None:
        """A version's first rating: its scales replace older versions' (`_Builder._column`)."""
        for n, scale in enumerate(version.scales):
            if semver_key(version.instrument.version) > semver_key(self.newest[n]):
                self.newest[n] = version.instrument.version
                self.scales[n] = scale

    def _adder(self, run_part: int | None) -> Callable[[int, int, int, float, bytes], None]:
        """`add(run, rest, rater, updated, data)`: place one rating with a session key, as
        `_Builder.add` places it. The sessions and (session, rater) rows of the current date
        are looked up in dictionaries kept for that date's run only."""
        table, texts, cells, reader = self.table, self.texts, self.cells, self.reader
        columns = [c.data for c in self.columns]
        row_session, row_rater, raters = table.row_session, table.row_rater, table.raters
        session_codes = table.session_codes
        parts = [
            (n, n == run_part, PART_BITS * sum(1 for m in range(n) if m != run_part))
            for n in range(self.parts)
        ]
        finals: list[list[int]] = [[] for _ in range(self.parts)]
        rater_at: list[int] = []
        closed: set[int] = set()
        head, width, mask = HEAD.size, len(self.scales), (1 << PART_BITS) - 1
        state: list[Any] = [-1, {}, {}, [], 0]  # run, its sessions, its rows, updated, start
        block_bytes = BLOCK_ROWS * width

        def new_session(run: int, rest: int) -> int:
            for n, is_run, shift in parts:
                code = run if is_run else (rest >> shift) & mask
                final = finals[n]
                if code >= len(final):
                    final.extend([-1] * (code + 1 - len(final)))
                found = final[code]
                if found < 0:
                    found = final[code] = len(texts[n])
                    texts[n].append(reader.texts[n][code])
                codes = session_codes[n]
                if found >= NARROW and codes.typecode == "H":
                    codes = session_codes[n] = array("i", codes)  # too many for 16 bits
                codes.append(found)
            return len(session_codes[0]) - 1

        def add(run: int, rest: int, rater: int, updated: float, data: bytes) -> None:
            nonlocal row_rater
            if run != state[0]:
                if run in closed:
                    raise Fallback  # a date met again after its run: not the order assumed
                closed.add(state[0])
                state[:] = [run, {}, {}, [], len(row_session)]
            sessions, rows = state[1], state[2]
            session = sessions.get(rest)
            if session is None:
                session = sessions[rest] = new_session(run, rest)
            if rater >= len(rater_at):
                rater_at.extend([-1] * (rater + 1 - len(rater_at)))
            who = rater_at[rater]
            if who < 0:
                who = rater_at[rater] = len(raters)
                if who >> 20:
                    raise Fallback  # too many raters to pack with a session
                if who == RATERS_IN_A_BYTE:  # a byte a row no longer holds them
                    row_rater = table.row_rater = array("i", row_rater)
                raters.append(reader.rater_texts[rater])
            pair = (session << 20) | who
            row = rows.get(pair)
            if row is None:
                rows[pair] = len(row_session)
                state[3].append(updated)
                row_session.append(session)
                row_rater.append(who)
                cells.extend(data[head:])
                if len(cells) == block_bytes:
                    self.flush()
                return
            table.replaced += 1
            at = row - state[4]
            if updated > state[3][at]:
                state[3][at] = updated
                at = row - self.moved  # in `cells`, or already moved into the columns
                if at >= 0:
                    cells[at * width : (at + 1) * width] = data[head:]
                else:  # already in the columns: signed bytes, as `frombytes` makes them
                    for codes, code in zip(columns, data[head:], strict=True):
                        codes[row] = code - 256 if code > 127 else code

        return add

    def flush(self) -> None:
        """Move the rows held in `cells` into the columns (the same byte: -1 none, -2
        `CODED`): the rows are never held twice, and a table's codes are never copied whole."""
        cells, width = self.cells, len(self.columns)
        for n, column in enumerate(self.columns):
            column.data.frombytes(cells[n::width])
        cells.clear()
        self.moved = len(self.table.row_session)

    def finish(self) -> None:
        """The table's columns and texts, from the codes read."""
        self.flush()
        table = self.table
        table.items = self.scales
        coders = self.reader.coders_of(table.instrument_id, ())
        for column, coder in zip(self.columns, coders, strict=True):
            column.levels = list(coder.levels)
            column.code_of = dict(coder.code_of)
        table.columns = self.columns
        table.coded = CodedRows(table.columns)
        for n in range(1, self.parts):  # 16-bit unless a code needed more (`NARROW`)
            if len(self.texts[n]) <= NARROW and table.session_codes[n].typecode != "H":
                table.session_codes[n] = array("H", table.session_codes[n])
        table.key_values = [Texts(texts) for texts in self.texts]
        self.add = _done


def _done(run: int, rest: int, rater: int, updated: float, data: bytes) -> None:
    raise ValueError("the table is finished")
