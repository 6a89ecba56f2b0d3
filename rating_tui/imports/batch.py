"""What every reader produces, and the checks every imported rating goes through: the
instrument version known with the same content (or, without a hash, known by id@version),
the Rating shape, the instrument's rules, and one content per rating id within the file."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from pydantic import ValidationError

from rating_tui.imports.keys import FileKeys
from rating_tui.imports.problems import LineProblem
from rating_tui.instruments.loader import LoadedInstrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings.checks import SessionFacts, facts
from rating_tui.ratings.model import Rating
from rating_tui.ratings.validate import validate_history

MAX_PROBLEMS_PER_RECORD = 5

Known = Mapping[str, LoadedInstrument]
"""The instruments at hand by id@version."""


@dataclass
class Batch:
    """The ratings read from one file (with their lines) and every problem found.

    With `keep=False` (the first pass of an import, `imports.passes`) no rating is kept: each
    valid one leaves only its keys (id, line, a digest of its content, its session facts) in
    sorted runs on disk (`keys.FileKeys`), so reading a file of any size holds what one record
    needs beside a bounded number of keys. Repeated ids are then found by `settle`, once the
    file is read: a repeated id with other content is a problem of its later line, as when
    it was found on reading (the problems are shown in line order)."""

    keep: bool = True
    """Keep each valid rating in `ratings` (else only `facts` and the keys by id)."""
    ratings: list[tuple[int, Rating]] = field(default_factory=list)
    facts: list[SessionFacts] = field(default_factory=list)
    """The session facts of each rating to store, in file order (repeats left out; with
    `keep=False` they are in `keys` instead)."""
    keys: FileKeys | None = None
    """With `keep=False`: the keys of every valid record, on disk (`close` lets them go)."""
    refs: set[str] = field(default_factory=set)
    """id@version of the instruments the ratings to store were made with."""
    problems: list[LineProblem] = field(default_factory=list)
    records: int = 0
    """Records read (lines or rows holding a rating)."""
    hashless: dict[str, int] = field(default_factory=dict)
    """id@version -> records that named the version without its content hash."""
    notes: list[str] = field(default_factory=list)
    """What the summary should say besides the counts (columns not read, ...)."""
    versions: dict[str, tuple[Instrument, str]] | None = None
    """id@version -> (instrument, content hash) of the known instruments, for checking the
    revisions inside each record."""
    repeats: list[tuple[int, int]] = field(default_factory=list)
    """(line, earlier line) of records that repeat an earlier one with the same content:
    imported once, and said (they were counted as "already present" in the folder); with
    `keep=False` they are in `keys` (`FileKeys.repeats`)."""
    _by_id: dict[str, bytes] = field(default_factory=dict)
    """rating id -> its first line (5 bytes) and the digest of its content (16), in one
    bytes object: a million of them are what the first pass holds besides the facts."""
    _bad_lines: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.keep and self.keys is None:
            self.keys = FileKeys()

    @property
    def count(self) -> int:
        """Ratings to store (repeats left out); with `keep=False`, once `settle`d."""
        return self.keys.count if self.keys is not None else len(self.facts)

    @property
    def bad(self) -> int:
        """Records with at least one problem: each refused line once; a problem of the file
        as a whole (line 0: a now moment of a rating not in the file) is none of them. They
        were each counted as a bad record: '11 of 8 rating row(s) are invalid'."""
        return len(self._bad_lines)

    @property
    def of_the_file(self) -> int:
        """Problems of the file as a whole or of its now-moments table (line 0)."""
        return sum(1 for p in self.problems if not p.line)

    def refuse(self, line: int, messages: list[str]) -> None:
        if line:
            self._bad_lines.add(line)
        more = len(messages) - MAX_PROBLEMS_PER_RECORD
        shown = messages[:MAX_PROBLEMS_PER_RECORD] + ([f"... and {more} more"] if more > 0 else [])
        self.problems += [LineProblem(line, m) for m in shown]

    def accept(self, line: int, rating: Rating, instrument: Instrument | None = None) -> None:
        """Keep a valid rating; a repeated identical one is kept once (`repeats` names it),
        a repeated id with other content is a problem (with `keep=False`: found by
        `settle`)."""
        if self.keys is not None:
            found = facts(rating, instrument)
            self.keys.add(line, rating.id, content_digest(rating), found)
            self.refs.add(rating.instrument.ref)
            return
        first = _unpack(self._by_id.setdefault(rating.id, _pack(line, content_digest(rating))))
        if first[0] != line and first[1] != content_digest(rating):
            self.refuse(
                line, [f"rating {rating.id} is also on line {first[0]}, with other content"]
            )
            return
        if first[0] != line:
            self.repeats.append((line, first[0]))
            return
        if self.keep:
            self.ratings.append((line, rating))
        self.facts.append(compact(facts(rating, instrument)))
        self.refs.add(rating.instrument.ref)

    def settle(self) -> None:
        """With `keep=False`, once every record is read: the repeats found and each repeated
        id with other content said as a problem of its later line."""
        if self.keys is None:
            return
        for line, first, rating_id in self.keys.settle():
            self.refuse(line, [f"rating {rating_id} is also on line {first}, with other content"])

    def close(self) -> None:
        """Let the keys on disk go (`keep=False`)."""
        if self.keys is not None:
            self.keys.close()

    def ids(self) -> Iterator[tuple[str, int]]:
        """(rating id, its first line): in file order, or in id order with `keep=False`."""
        if self.keys is not None:
            yield from self.keys.ids()
            return
        for rating_id, packed in self._by_id.items():
            yield rating_id, _unpack(packed)[0]

    def line_named(self, text: str) -> int | None:
        """The first line of the ratings whose id `text` names (a store's refusal)."""
        return min((line for rid, line in self.ids() if rid in text), default=None)

    def repeat_note(self, unit: str) -> str | None:
        """What the summary says of repeated records, or None when there were none."""
        if self.keys is not None:
            count, first_ten = len(self.keys.repeat_lines), list(islice(self.keys.repeats(), 10))
        else:
            count, first_ten = len(self.repeats), self.repeats[:10]
        if not count:
            return None
        shown = ", ".join(f"{line} (= {first})" for line, first in first_ten)
        more = f", ... and {count - 10} more" if count > 10 else ""
        return (
            f"{count} {unit} repeat an earlier one with the same content and were "
            f"read once: {unit.split('(')[0]} {shown}{more}"
        )

    def line_of(self, rating_id: str) -> int | None:
        found = self._by_id.get(rating_id)
        return _unpack(found)[0] if found else None


def resolve(
    batch: Batch, instrument: Any, known: Known
) -> tuple[LoadedInstrument | None, dict[str, Any] | None, str | None]:
    """The known instrument a record's `{"id", "version", "hash"?}` names, the reference to
    store (the known hash filled in when none was given), or the problem in words."""
    if not isinstance(instrument, dict):
        return None, None, None  # the Rating shape check reports it
    ident, version, hash_ = instrument.get("id"), instrument.get("version"), instrument.get("hash")
    if not isinstance(ident, str) or not isinstance(version, str):
        return None, None, None
    ref = f"{ident}@{version}"
    loaded = known.get(ref)
    if loaded is None:
        prefix = f"{ident}@"
        versions = sorted(v.removeprefix(prefix) for v in known if v.startswith(prefix))
        have = f"versions found: {', '.join(versions)}" if versions else "see --instruments DIR"
        return None, None, f"instrument: {ref} is not among your instruments ({have})"
    if hash_ is None or hash_ == "":
        batch.hashless[ref] = batch.hashless.get(ref, 0) + 1
        return loaded, {**instrument, "hash": loaded.content_hash}, None
    if hash_ != loaded.content_hash:
        shown = hash_[:12] if isinstance(hash_, str) else repr(hash_)
        return (
            None,
            None,
            f"instrument.hash: made with other content of {ref} ({shown}...) than "
            f"{loaded.path.name} has ({loaded.content_hash[:12]}...); import it with the "
            "instrument file it was made with",
        )
    return loaded, dict(instrument), None


def check(batch: Batch, line: int, data: dict[str, Any], known: Known) -> None:
    """Validate one record (a dict in `Rating`'s JSON form, hash optional) and keep it or
    its problems."""
    batch.records += 1
    loaded, ref, problem = resolve(batch, data.get("instrument"), known)
    if problem:
        batch.refuse(line, [problem])
        return
    if ref is not None:
        data = {**data, "instrument": ref}
    try:
        rating = Rating.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        batch.refuse(
            line, [f"{'.'.join(map(str, e['loc'])) or 'rating'}: {e['msg']}" for e in errors]
        )
        return
    assert loaded is not None  # a valid Rating has an instrument reference
    if batch.versions is None:  # built once per file, not per record
        batch.versions = {ref: (li.instrument, li.content_hash) for ref, li in known.items()}
    problems = validate_history(rating, batch.versions)  # the revisions inside it too
    if problems:
        batch.refuse(line, [str(p) for p in problems])
    else:
        batch.accept(line, rating, loaded.instrument)


def _pack(line: int, digest: bytes) -> bytes:
    return line.to_bytes(5, "big") + digest


def _unpack(packed: bytes) -> tuple[int, bytes]:
    return int.from_bytes(packed[:5], "big"), packed[5:]


def content_digest(rating: Rating) -> bytes:
    """16 bytes that tell one content of a rating from another (its canonical JSON, as
    `export.merge` compares contents), kept for each id instead of the rating itself."""
    return hashlib.blake2b(rating.model_dump_json().encode(), digest_size=16).digest()


def compact(found: SessionFacts) -> SessionFacts:
    """The same facts with their repeated words shared (a million ratings name a few
    instruments, statuses and raters), so the first pass holds little per rating."""
    intern = sys.intern
    return SessionFacts(
        id=found.id,
        instrument_id=intern(found.instrument_id),
        dyad=intern(found.dyad) if found.dyad is not None else None,
        number=found.number,
        day=found.day,
        rater=intern(found.rater),
        status=intern(found.status),
    )


def rating_of(data: dict[str, Any], known: Known) -> Rating | None:
    """The rating a record holds, as `check` reads it (the known hash filled in), or None when
    it is not one: the second pass of an import reads again records the first pass found
    valid, so None says that the file changed in between."""
    loaded, ref, problem = resolve(Batch(), data.get("instrument"), known)
    if problem or loaded is None or ref is None:
        return None
    try:
        return Rating.model_validate({**data, "instrument": ref})
    except ValidationError:
        return None
