"""Which ratings are of the same session, gathered once into compact per-instrument tables.

Two final ratings are of the same session when they share the instrument id (any version),
the dyad code, the session date and the session number (the fields with those roles), and come
from different raters. A rater who rated one session twice counts once, with the rating
updated last (`SessionTable.replaced` counts the others). Items analysed: those whose answer is
a point on a line (likert, numeric), yes/no, and single choice (stored as the index of the
chosen option among the scale's choices; nominal). Multiple choice and text are left out.

An item coded "not observed" / "not applicable", or left unanswered, has no value here (NaN);
the codes are counted per item so that each statistic can say how many it set aside.

Pure Python (the `array` module, a few bytes per value): calibration runs in the core app
without numpy, and agreement hands these buffers to numpy without copying rows one by one.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Collection, Iterable, Sequence

from rating_tui.analysis.columns import ItemColumn, Texts
from rating_tui.analysis.keyindex import KEY_LIMIT, KeyIndex
from rating_tui.analysis.records import (
    LEFT_OUT,
    Parts,
    Record,
    answer_number,
    answered_values,
    choice_number,
    rating_parts,
    record_parts,
    stamp,
)
from rating_tui.analysis.scales import ItemScale, item_scale, score_scale
from rating_tui.analysis.sessiontable import Collected, SessionTable
from rating_tui.instruments.catalogue import semver_key
from rating_tui.instruments.model import (
    Instrument,
    Role,
)
from rating_tui.instruments.scores import Score, compute
from rating_tui.ratings.model import Rating

__all__ = [  # what the app and the CLI import from here, wherever it is defined
    "LEFT_OUT",
    "Collected",
    "Parts",
    "Record",
    "SessionTable",
    "collect",
    "rating_parts",
    "record_parts",
]

Column = tuple[int, str, dict[str, float] | None]
"""An analysed item of one instrument version: its column, key, and a choice's code index."""

SESSION_ROLES: tuple[Role, ...] = ("dyad", "session_date", "session_number")
"""The session fields that together say which session a rating is of."""


def analysed_keys(instrument: Instrument) -> list[str]:
    """The keys of the items of `instrument` that agreement analyses, in its order: the
    order of a version's columns, and of the answers `Slim` keeps."""
    return [i.key for i in instrument.items if item_scale(instrument, i.key) is not None]


class _Builder:
    """Fills one `SessionTable`, keeping per (session, rater) the rating updated last."""

    def __init__(self, instrument_id: str) -> None:
        self._coded: list[array[int]] = []
        self.table = SessionTable(instrument_id, coded=self._coded)
        self._item_at: dict[str, int] = {}
        self._item_version: dict[str, str] = {}
        self._plans: dict[str, tuple[list[str], list[Column]]] = {}
        self._scores: dict[str, list[tuple[int, Score]]] = {}
        """Per version, its scores and their columns (after every item's)."""
        self._session_at = KeyIndex()
        """Session index by its key's part codes packed into one number (20 bits a part)."""
        self._session_big: dict[int, int] = {}
        """The same for keys too large to pack so (a part with over a million texts)."""
        self._code_at: list[dict[str, int]] = []
        self._texts: list[list[str]] = []
        """Per part of the session key, its texts by code while reading (`finish` joins
        them into the table's `key_values`)."""
        self._rater_at: dict[str, int] = {}
        self._first_row: array[int] = array("i")
        """Per session, its newest row (-1: none yet); `_next_row` links each row to the
        session's previous one. A session holds a few rows, so finding (session, rater) walks
        a few links: no dict entry and no number objects per row."""
        self._next_row: array[int] = array("i")
        self._updated: array[float] = array("d")
        """When each row's rating was updated (POSIX seconds), to keep the newest."""
        self._capacity = 0
        """Rows the item columns hold: they grow in chunks (`finish` trims them)."""

    def _grow(self) -> None:
        """Room for more rows in every item column: unanswered (NaN, not coded)."""
        chunk = max(1024, self._capacity // 4)  # a quarter: little room left unused
        zero = array("b", [0]) * chunk
        for values, coded in zip(self.table.columns, self._coded, strict=True):
            values.grow(chunk)
            coded.extend(zero)
        self._capacity += chunk

    def finish(self) -> SessionTable:
        """The table, its item columns trimmed to its rows."""
        rows = self.table.rows
        for values, coded in zip(self.table.columns, self._coded, strict=True):
            values.trim(rows)
            del coded[rows:]
        self._capacity = rows
        self.table.key_values = [Texts(texts) for texts in self._texts]
        return self.table

    def _plan(self, instrument: Instrument) -> tuple[list[str], list[Column]]:
        """Session field keys and (column, item key) pairs of one version, made once."""
        plan = self._plans.get(instrument.version)
        if plan is not None:
            return plan
        roles = [instrument.field_with_role(role) for role in SESSION_ROLES]
        key_fields = [f.key for f in roles if f is not None]
        self.table.dyad_first = roles[0] is not None
        columns: list[tuple[int, str, dict[str, float] | None]] = []
        for key in analysed_keys(instrument):
            scale = item_scale(instrument, key)
            assert scale is not None  # an analysed item has a scale
            column = self._column(scale, instrument.version)
            index = {c: float(i) for i, c in enumerate(scale.codes)} if scale.codes else None
            columns.append((column, key, index))
        plan = self._plans[instrument.version] = (key_fields, columns)
        self._scores[instrument.version] = [
            (self._column(score_scale(instrument, score), instrument.version), score)
            for score in instrument.scores
        ]
        return plan

    def _column(self, scale: ItemScale, version: str) -> int:
        """The column of `scale` (by key), added when new; the newest version's scale."""
        column = self._item_at.get(scale.key)
        if column is None:
            column = self._item_at[scale.key] = len(self.table.items)
            self._item_version[scale.key] = version
            self.table.items.append(scale)
            self.table.columns.append(ItemColumn(self._capacity))
            self._coded.append(array("b", [0]) * self._capacity)
        elif semver_key(version) > semver_key(self._item_version[scale.key]):
            self._item_version[scale.key] = version
            self.table.items[column] = scale
        return column

    def _session_of(self, codes: list[int], new: int) -> int:
        """The session of a key's part codes (`new` when first met): packed 20 bits a part
        into the compact index, or, should a part have a million texts or more, 32 bits a
        part into a dict (either way one key, one number)."""
        small = len(codes) <= 3 and max(codes) < 1 << 20
        packed = len(codes)
        for code in codes:
            packed = (packed << (20 if small else 32)) | code
        if small and packed < KEY_LIMIT:
            return self._session_at.setdefault(packed, new)
        return self._session_big.setdefault(packed, new)

    def add(self, parts: Parts, instrument: Instrument) -> bool:
        """Place one rating; False when it has no session key to pair it by. Run for every
        rating read (100,000 in a large folder), so the usual forms are read in line: a
        point as its number, a choice as its code, the rest by `answer_number` and
        `choice_number`."""
        _, _, rater_code, session_fields, answers, updated = parts
        plan = self._plans.get(instrument.version)
        key_fields, columns = plan if plan is not None else self._plan(instrument)
        key: Sequence[str]
        if type(session_fields) is tuple:  # made small by `Slim`: the key's texts
            key = session_fields
        else:
            field = session_fields.get  # type: ignore[union-attr]  # a mapping: not a tuple
            key = [str(field(k, "")) for k in key_fields]
        if not key_fields or "" in key:
            return False
        table = self.table
        code_at, all_texts = self._code_at, self._texts
        count = len(self._first_row)  # sessions so far
        while len(code_at) < len(key):  # a part of the key not met before
            code_at.append({})
            all_texts.append([])
            table.session_codes.append(array("i", [-1]) * count)
        codes = []
        for part, text in enumerate(key):
            code = code_at[part].get(text)
            if code is None:
                texts = all_texts[part]
                code = code_at[part][text] = len(texts)
                texts.append(text)
            codes.append(code)
        session = self._session_of(codes, count)
        if session == count:
            for part, of_part in enumerate(table.session_codes):
                of_part.append(codes[part] if part < len(codes) else -1)
            self._first_row.append(-1)
        rater = self._rater_at.get(rater_code)
        if rater is None:
            rater = self._rater_at[rater_code] = len(table.raters)
            table.raters.append(rater_code)
        updated_at = updated if type(updated) is float else stamp(updated)  # type: ignore[arg-type]
        row = self._first_row[session]
        row_rater, next_row = table.row_rater, self._next_row
        while row >= 0 and row_rater[row] != rater:
            row = next_row[row]
        if row < 0:
            row = len(table.row_session)
            if row == self._capacity:
                self._grow()
            table.row_session.append(session)
            row_rater.append(rater)
            self._updated.append(updated_at)
            next_row.append(self._first_row[session])
            self._first_row[session] = row
        else:
            table.replaced += 1
            if not updated_at > self._updated[row]:
                return True
            self._updated[row] = updated_at
            for values, coded in zip(table.columns, self._coded, strict=True):
                values.clear(row)
                coded[row] = 0
        item_columns, item_coded = table.columns, self._coded
        slim = type(answers) is tuple  # made small by `Slim`: in the columns' order
        if slim:
            given: Sequence[object] = answers  # type: ignore[assignment]  # a tuple
        else:
            found = answers.get  # type: ignore[union-attr]  # a mapping: not a tuple
            given = [found(key) for _, key, _ in columns]
        for (column, _, index), answer in zip(columns, given, strict=True):
            if answer is None:
                continue
            number: float | None = None  # an int read as stored is kept as it is
            kind = type(answer)
            if slim and kind is not dict:  # {"value": v} made v by `Slim` (int, float, str)
                if index is None:
                    if kind is not int and kind is not float:
                        continue  # no number: no value (as `answer_number` reads it)
                    number = answer  # type: ignore[assignment]  # an int or a float
                else:
                    number = index.get(str(answer)) if kind is str or kind is int else None
                    if number is None:
                        continue  # not a code, or one the newest scale does not list
            elif type(answer) is dict:  # the stored form, read in line
                value = answer.get("value")
                kind = type(value)
                if index is None:
                    if kind is int or kind is float:
                        number = value
                    elif value is None and "missing" in answer:
                        item_coded[column][row] = 1
                        continue
                elif "missing" not in answer:
                    if kind is str:
                        number = index.get(str(value))
                        if number is None:
                            continue  # a code the newest scale does not list: no value
                    elif kind is int:
                        number = index.get(str(value))
                        if number is None:
                            continue
            if number is None:
                if index is not None:  # a choice: the chosen option's index
                    number, is_code = choice_number(answer, index)
                else:
                    number, is_code = answer_number(answer)
                if is_code:
                    item_coded[column][row] = 1
                    continue
                if number is None:
                    continue
            target = item_columns[column]
            code = target.code_of.get(number)
            if code is None:
                target.set(row, number)
            else:
                target.data[row] = code
        scores = self._scores[instrument.version]
        if scores:
            if isinstance(answers, tuple):  # `Slim` keeps every answer for the scores
                raise TypeError("a version with scores needs each rating's answers by key")
            answered = answered_values(answers)
            for column, score in scores:
                value, _ = compute(instrument, score, answered)
                if value is not None:
                    table.columns[column].set(row, float(value))
        return True


def collect(
    ratings: Iterable[Rating | Parts],
    instrument_of: Callable[[str, str, str], Instrument | None],
    raters: Collection[str] | None = None,
) -> Collected:
    """Read `ratings` once into a table per instrument id: Ratings, or their `Parts` read
    from the store's records by `record_parts` (much faster than building models). Only
    final ratings count. `instrument_of(id, version, hash)` gives the version a rating was
    made with (None: unknown; the rating is left out and counted); `raters` keeps only those
    raters' ratings."""
    found = Collected()
    builders: dict[str, _Builder] = {}
    versions: dict[tuple[str, str, str], Instrument | None] = {}
    for rating in ratings:
        parts = rating_parts(rating) if isinstance(rating, Rating) else rating
        ref, status, rater = parts[0], parts[1], parts[2]
        if status != "final" or (raters is not None and rater not in raters):
            continue
        found.ratings += 1
        instrument = (
            versions[ref] if ref in versions else versions.setdefault(ref, instrument_of(*ref))
        )
        if instrument is None:
            found.unknown += 1
            continue
        builder = builders.get(instrument.id)
        if builder is None:
            builder = builders[instrument.id] = _Builder(instrument.id)
        if not builder.add(parts, instrument):
            found.unkeyed += 1
    found.tables = {key: b.finish() for key, b in sorted(builders.items())}
    return found
