"""`collect` for one data folder's stored records, with a few bytes kept per rating.

`pairing.collect` takes what each rating is made into (`records.Parts`): a tuple of texts and
answers per rating, held by the store until the rating's month is sorted and then placed by
`_Builder.add`. Here each record becomes, as its file is read, one `bytes` of 27 bytes plus
a byte per analysed item (`_Reader`): the codes of its session key's texts and of its rater,
its update time, its instrument version, and the code of each item's value. The store sorts
those as it sorts the records (`Store.iter_records`), and `storedtable.Table` places them in
that order, exactly as `_Builder.add` places Parts: the same sessions, raters and rows in the
same order, the newest rating of a (session, rater) kept, the same counts. What the order
decides is used once and dropped: a month is sorted by session date first, so every rating
of one session comes in one run of its date, and the session and (session, rater) lookups
live only as long as that run (a few dictionaries of a day's sessions, instead of one entry
per session).

Each instrument version gets its own code, written out once when its first rating is read
(`storedcode.Version`, as `export.rowcode` writes the CSV line), with the answers' forms
read exactly as `_Builder.add` reads them. Values are coded per item in a byte (as
`columns.ItemColumn` codes them) and moved into the table's columns a block of rows at a
time as they are placed.

What this path does not take, it hands back (`Fallback`), and the caller reads the folder
again with `pairing.collect`: a version with more than `MAX_LEVELS` distinct values in an
item, -0.0, an unknown instrument version (whose error `collect` raises in the store's
order), versions of one instrument id that differ in their session fields or analysed items,
a date seen again after its run ended. The result never differs, only the time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any

from rating_tui.analysis.storedcode import HEAD, PART_BITS, Coder, Fallback, Version
from rating_tui.analysis.storedtable import Table

__all__ = ["HEAD", "SKIP", "Fallback", "collect_folder", "collect_stored"]

if TYPE_CHECKING:
    from rating_tui.analysis.records import Parts
    from rating_tui.analysis.sessiontable import Collected
    from rating_tui.instruments.model import Instrument

SKIP = b""
"""What the reader gives for a rating `collect` does not count (not final, another rater)."""


class _Reader:
    """`read` of `Store.iter_records` (`self.read`): a stored record as the bytes `Tables`
    places."""

    def __init__(
        self,
        instrument_of: Callable[[str, str, str], Instrument | None],
        raters: Collection[str] | None,
        keep: Callable[[dict[str, Any]], bool] | None,
    ) -> None:
        self._instrument_of = instrument_of
        self._raters = raters
        self._keep = keep
        self.parts: list[dict[str, int]] = [{}, {}, {}]
        """Per part of a session key, a code per distinct text (in the order read)."""
        self.texts: list[list[str]] = [[], [], []]
        self.rater_code: dict[str, int] = {}
        self.rater_texts: list[str] = []
        self.versions: list[Version] = []
        self._by_ref: dict[tuple[str, str, str], Version] = {}
        self._by_name: dict[tuple[str, str], Instrument] = {}
        self._layouts: dict[str, tuple[object, ...]] = {}
        self._coders: dict[str, list[Coder]] = {}
        self._read_of: dict[tuple[str, str, str], Callable[..., bytes | None]] = {}
        """Each version's `Version.read`, by reference."""
        self.read = self._reader()

    def release(self) -> None:
        """Drop the versions' readers (their code refers back to them and to this reader:
        cycles)."""
        for version in self.versions:
            version.read.__globals__.clear()
        self.versions.clear()
        self._by_ref.clear()
        self._read_of.clear()
        self.read = _released  # `read` refers back to this reader: a cycle

    def text(self, part: int, text: str) -> int:
        """A new text of a part of the session key: its code."""
        texts = self.texts[part]
        code = self.parts[part][text] = len(texts)
        if code >> PART_BITS:
            raise Fallback  # too many to pack
        texts.append(text)
        return code

    def coders_of(self, instrument_id: str, keys: tuple[str, ...]) -> list[Coder]:
        found = self._coders.get(instrument_id)
        if found is None:
            found = self._coders[instrument_id] = [Coder() for _ in keys]
        return found

    def _reader(self) -> Callable[[dict[str, Any]], bytes | None]:
        """`read` of a record: a plain function over this reader's tables (the store calls it
        once per rating; an instance's `__call__` and its attribute lookups cost more)."""
        keep, raters, first = self._keep, self._raters, self._first
        read_of, rater_code, rater_texts = self._read_of, self.rater_code, self.rater_texts

        def read(record: dict[str, Any]) -> bytes | None:
            if keep is not None:
                try:
                    if not keep(record):
                        return SKIP
                except (KeyError, TypeError, AttributeError):
                    return None
            try:  # the stored form, in its usual case: a version met before
                ref = record["instrument"]
                version = read_of[ref["id"], ref["version"], ref["hash"]]
                rater, updated = record["rater"], record["updated"]
                session, answers = record["session"], record["answers"]
                status = record["status"]
            except (KeyError, TypeError):
                return first(record)
            if (
                type(session) is not dict
                or type(answers) is not dict
                or type(rater) is not str
                or type(updated) is not str
                or type(status) is not str
            ):
                return None
            if status != "final" or (raters is not None and rater not in raters):
                return SKIP
            code = rater_code.get(rater)
            if code is None:
                code = rater_code[rater] = len(rater_texts)
                rater_texts.append(rater)
            return version(session, answers, code, updated)

        return read

    def _first(self, record: dict[str, Any]) -> bytes | None:
        """`__call__` of a record of a version not met before, or not in the stored form."""
        ref = record.get("instrument")
        if type(ref) is not dict:
            return None
        key = (ref.get("id"), ref.get("version"), ref.get("hash"))
        parts = [record.get(k) for k in ("status", "rater", "updated", "session", "answers")]
        if [type(p) for p in parts] != [str, str, str, dict, dict] or not all(
            type(k) is str for k in key
        ):
            return None
        if parts[0] != "final" or (self._raters is not None and parts[1] not in self._raters):
            return SKIP  # left out before its version is looked up, as `Slim` leaves it
        if key not in self._by_ref:
            self._version(key)  # type: ignore[arg-type]  # texts: checked above
        return self.read(record)

    def _version(self, ref: tuple[str, str, str]) -> Version:
        """The reader of a version met for the first time."""
        try:
            instrument = self._instrument_of(*ref)
        except Exception as exc:  # `collect` raises it in the store's order
            raise Fallback from exc
        if instrument is None:
            raise Fallback  # `collect` counts it in its own way
        same = self._by_name.setdefault((instrument.id, instrument.version), instrument)
        if same is not instrument:  # `_Builder` plans by version: the first one's plan
            raise Fallback
        version = Version(self, len(self.versions), instrument)
        layout = self._layouts.setdefault(instrument.id, version.layout)
        keys = version.layout[1]
        if layout != version.layout or len(set(keys)) != len(keys) or len(self.versions) > 4000:
            raise Fallback
        self.versions.append(version)
        self._by_ref[ref] = version
        self._read_of[ref] = version.read
        return version


def _released(record: dict[str, Any]) -> bytes | None:
    raise ValueError("the reader is released")


def collect_stored(
    records: Callable[[Callable[[dict[str, Any]], bytes | None]], Iterable[bytes]],
    instrument_of: Callable[[str, str, str], Instrument | None],
    raters: Collection[str] | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> Collected:
    """`pairing.collect` of one data folder's stored records: `records(read)` gives `read` of
    each record in the store's order (`RecordSource.records`); `keep` is the selection's
    record filter. Raises `Fallback` when this path does not take the folder."""
    from rating_tui.analysis.sessiontable import Collected

    reader = _Reader(instrument_of, raters, keep)
    found = Collected()
    tables: dict[str, Table] = {}
    stream = records(reader.read)
    try:
        _place(stream, reader, found, tables)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        reader.release()  # its texts came from the parsed months: gone with it, not at a gc
    for table in tables.values():
        table.finish()
    found.tables = {key: t.table for key, t in sorted(tables.items())}
    return found


def collect_folder(
    records: Callable[[Callable[[dict[str, Any]], Any]], Iterable[Any]],
    instrument_of: Callable[[str, str, str], Instrument | None],
    raters: Collection[str] | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> Collected:
    """One data folder's tables, as `agreement`, `calibrate` and the Calibration view read
    them: `collect_stored`, or where that path hands the folder back (`Fallback`),
    `pairing.collect` of the same records read again, each made small by `records.Slim`
    as it is read. The figures are the same either way; only time and memory differ.
    `records(read)` as for `collect_stored` (the store's `iter_records` with
    `read_in_file_order`)."""
    try:
        return collect_stored(records, instrument_of, raters, keep)
    except Fallback:
        pass
    from rating_tui.analysis.pairing import collect
    from rating_tui.analysis.records import LEFT_OUT, Slim, record_parts

    slim = Slim(instrument_of, raters)

    def read(record: dict[str, Any]) -> Parts | None:
        """The record's parts (with no status when `keep` leaves it out, so that `collect`
        passes it by); None when it is not in the stored form (the store then validates
        it, as `iter_all` does)."""
        try:
            if keep is not None and not keep(record):
                return LEFT_OUT
        except (KeyError, TypeError, AttributeError):
            return None
        parts = record_parts(record)
        return None if parts is None else slim(parts)

    return collect(records(read), instrument_of, raters)


def _place(
    stream: Iterable[bytes], reader: _Reader, found: Collected, tables: dict[str, Table]
) -> None:
    """Place every rating read, in the order given."""
    of_version: list[Table | None] = []
    unpack = HEAD.unpack_from
    for data in stream:
        if not data:
            continue
        found.ratings += 1
        run, rest, rater, updated, index, unkeyed = unpack(data)
        if index >= len(of_version):
            of_version.extend([None] * (index + 1 - len(of_version)))
        table = of_version[index]
        if table is None:
            version = reader.versions[index]
            table = tables.get(version.instrument.id)
            if table is None:
                table = tables[version.instrument.id] = Table(reader, version)
            table.plan(version)
            of_version[index] = table
        if unkeyed:
            found.unkeyed += 1
            continue
        table.add(run, rest, rater, updated, data)
