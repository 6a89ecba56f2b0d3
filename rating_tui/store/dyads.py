"""Which dyads each month holds: a summary the store keeps beside the months (format 6), so
that an import's session checks read only the months that hold a rating of the import's dyads.

`<data>/dyads/2026-01.json` is a TinyDB file (through the codec, like every data file) whose
table `dyads` names dyad codes (the value of a session field that is some instrument
version's dyad field, as the registry's roles say) of the ratings stored in month 2026-01
(all its parts), each as `{}`. Like a month, a summary fills parts in order (format 7): it
holds at most `DYADS_LIMIT` codes, then new codes go to `2026-01.p1.json`, `.p2`, ...
(numbered without gaps); the month's summary is the union of its files. So a save of a dyad
new to the month rewrites one part of at most `DYADS_LIMIT` codes, whatever the month holds,
and a batch its month's open part plus the parts it fills. It is written in the same
transaction as the month's ratings, by every change that puts a rating in a month (a new
rating, a batch, an edit, a move, a restore), so it is as crash-safe as they are. It only
grows: a rating that moves away, is voided or set aside leaves its code behind, which costs a
month read for nothing but never hides a rating.

A month has a summary only if every rating ever put in it went through this code: the
summary is started by the transaction that starts the month (its first file), and never for
a month that already has ratings (a folder of an older format: its months are read as
before; see `to_read`). Before the first transaction that writes a summary is committed,
`store.json` is marked format 6, and format 7 before the first that writes a part, so an
older rating-tui, which would add ratings without naming their dyads or read the first file
only, refuses the folder instead. A summary a file of which is missing (a gap in the parts, or
no first file), cannot be read or is not of this form is not used: the month's files are read,
as before. A format-6 summary bigger than `DYADS_LIMIT` counts as a full first file.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rating_tui.store import fileio
from rating_tui.store.codec import to_json
from rating_tui.store.errors import StoreError
from rating_tui.store.files import Files, Records
from rating_tui.store.layout import (
    DYAD_FORMAT,
    DYAD_PART_FORMAT,
    DYADS_LIMIT,
    DYADS_TABLE,
    REGISTRY_TABLE,
    Layout,
    month_of,
)
from rating_tui.store.query import Roles, roles_of
from rating_tui.store.transaction import Transaction

SEARCHES = 8
"""Codes at most that `note` looks for in a summary's text before parsing it (a save: one)."""


def codes(records: Iterable[Mapping[str, Any]], roles: Roles) -> set[str]:
    """The dyad codes of `records`: the text values of their session fields that are the dyad
    field of some instrument version (a superset of each record's own dyad, which costs at
    most a month read for nothing; one look-up a record instead of its instrument's)."""
    keys = {k for fields in roles.values() if isinstance(k := fields.get("dyad"), str)}
    found: set[str] = set()
    for record in records:
        session = record.get("session")
        if isinstance(session, dict):
            found.update(v for k in keys if isinstance(v := session.get(k), str))
    return found


def note(txn: Transaction, month: str, records: Iterable[Mapping[str, Any]], roles: Roles) -> None:
    """Add the dyad codes of `records`, about to be put in `month` by `txn`, to the month's
    summary: when it has one, or when `txn` starts the month (call this before the month's
    first file is added to `txn`). A month with ratings and no summary gets none. The codes
    the summary lacks go to its open part (its last), then to new parts."""
    layout = txn.layout
    numbers = layout.dyad_parts().get(month, [])  # (one listing: a lost part is a gap)
    if numbers != list(range(len(numbers))):
        return  # a part lost: the summary is not used (the month is read); nor written
    if numbers or txn.will_exist(layout.dyads_of(month)):
        last = len(numbers) - 1 if numbers else 0
        while txn.will_exist(layout.dyads_of(month, last + 1)):  # (added by `txn`)
            last += 1
        paths = [layout.dyads_of(month, n) for n in range(last + 1)]
    elif txn.will_exist(layout.shard(month)):
        return  # ratings stored before summaries: the month is read as before
    else:
        paths = []
    missing = codes(records, roles)
    if len(missing) <= SEARCHES:  # a save: every part's text searched before any is parsed
        for path in paths:
            text = txn.text(path)
            missing -= {c for c in missing if text is not None and _names(text, {c})}
    for path in paths:
        if not missing:
            return
        found = _found(txn, path, missing)
        if found is None:
            return  # damaged: never overwritten, and not used (the month is read)
        missing -= found
    if missing:
        _add(txn, month, paths, sorted(missing))


def _found(txn: Transaction, path: Path, wanted: set[str]) -> set[str] | None:
    """The codes of `wanted` that summary file `path` names (None: it cannot be read)."""
    text = txn.text(path)  # (None when `txn` changed it, or it is gone)
    if text is not None:
        held = _parsed(text)
        return None if held is None else wanted & held.keys()
    try:
        return wanted & txn.records(path, DYADS_TABLE).keys()
    except StoreError:
        return None  # cannot be decoded: as damaged


def _add(txn: Transaction, month: str, paths: list[Path], wanted: list[str]) -> None:
    """Put `wanted` (codes the summary lacks) in the open part of `month`'s summary (the last
    of `paths`, or a new first file) up to `DYADS_LIMIT`, then in new parts."""
    from rating_tui.store.shards import mark_format  # (shards imports the transaction too)

    number, room = 0, DYADS_LIMIT
    if paths:
        number = len(paths) - 1
        try:
            room = max(0, DYADS_LIMIT - len(txn.records(paths[-1], DYADS_TABLE)))
        except StoreError:
            return  # (read above: not reached)
    taken, wanted = wanted[:room], wanted[room:]
    mark_format(txn, DYAD_PART_FORMAT if wanted else DYAD_FORMAT)
    if taken:
        txn.change(txn.layout.dyads_of(month, number), DYADS_TABLE, _adding(taken))
    while wanted:
        number += 1
        chunk, wanted = wanted[:DYADS_LIMIT], wanted[DYADS_LIMIT:]
        txn.put_tables(txn.layout.dyads_of(month, number), _table(chunk))


def _names(text: bytes, wanted: set[str]) -> bool:
    """Whether summary `text`, as `note` writes it (compact, no escape), surely names every
    code of `wanted`: each appears as an entry (`"D017":{}` first or after a comma)."""
    if not (text.startswith(b'{"dyads":{') and text.endswith(b"}}")) or b"\\" in text:
        return False
    for code in wanted:
        entry = to_json(code).encode() + b":{}"
        if not (text.startswith(b'{"dyads":{' + entry) or b"," + entry in text):
            return False
    return True


def _adding(wanted: list[str]) -> Any:
    def edit(records: Records) -> None:
        for code in wanted:
            records.setdefault(code, {})

    return edit


def _table(chunk: list[str]) -> dict[str, Records]:
    return {DYADS_TABLE: {code: {} for code in chunk}}


def to_read(files: Files, layout: Layout, shards: list[str], dyads: Collection[str]) -> list[str]:
    """The shards of `shards` that may hold a rating of `dyads`: those of a month whose
    summary names one of them, and every shard of a month without a usable summary. Call it
    under the lock the shards are read under (summaries only grow, so one read later than
    the shards' is a superset, never less)."""
    wanted = frozenset(dyads)
    by_month: dict[str, list[str]] = {}
    for shard in shards:
        by_month.setdefault(month_of(shard), []).append(shard)
    listing = layout.dyad_parts()
    out: list[str] = []
    for month, names in by_month.items():
        if not _names_none(files, layout, month, listing.get(month, []), wanted):
            out += names
    return out


def _names_none(
    files: Files, layout: Layout, month: str, numbers: list[int], wanted: frozenset[str]
) -> bool:
    """Whether `month`'s summary (its files `numbers`) is whole and names none of `wanted`;
    it stops at the first part that names one."""
    if numbers != list(range(len(numbers))) or not numbers:
        return False  # no summary, or a part of it lost: the month is read
    for number in numbers:
        held = summary(files, layout.dyads_of(month, number))
        if held is None or not wanted.isdisjoint(held):
            return False
    return True


def held(files: Files, layout: Layout, month: str) -> set[str] | None:
    """Every code `month`'s summary names (the union of its files), or None when it has none
    or one of its files is missing or cannot be read."""
    numbers = layout.dyad_parts().get(month, [])
    if numbers != list(range(len(numbers))) or not numbers:
        return None
    out: set[str] = set()
    for number in numbers:
        found = summary(files, layout.dyads_of(month, number))
        if found is None:
            return None
        out |= found
    return out


def summary(files: Files, path: Path) -> set[str] | None:
    """The codes summary file `path` names, or None when it is missing, cannot be read or
    decoded, or is not of the form `note` writes."""
    raw = files.text(path)
    held = None if raw is None else _parsed(raw)
    return None if held is None else set(held)


def _parsed(raw: bytes) -> dict[str, Any] | None:
    try:
        tables = json.loads(raw)
    except ValueError:
        return None
    table = tables.get(DYADS_TABLE) if isinstance(tables, dict) else None
    if not isinstance(table, dict) or any(v != {} for v in table.values()):
        return None
    return table


Finding = tuple[Literal["warning"], Path, str]


def findings(files: Files, layout: Layout, codes: Mapping[str, set[str]]) -> list[Finding]:
    """Doctor's findings (level, path, message) about the summaries of the months in
    `codes` (month -> the dyads of its ratings, as doctor read them)."""
    out: list[Finding] = []
    listing = layout.dyad_parts()
    for month, held in sorted(codes.items()):
        numbers = listing.get(month, [])
        if not numbers:
            continue  # no summary: the month is read (an older folder's)
        found: set[str] | None = set()
        for number in range(numbers[-1] + 1):
            path = layout.dyads_of(month, number)
            part = summary(files, path) if number in numbers else None
            if part is not None:
                found = None if found is None else found | part
                continue
            found = None
            what = "cannot be read" if number in numbers else "is missing"
            out.append(("warning", path, f"this file of a summary of dyads {what}; {NOT_USED}"))
        lacking = sorted(held - found) if found is not None else []
        if lacking:
            out.append(
                (
                    "warning",
                    layout.dyads_of(month),
                    f"this summary of dyads lacks {len(lacking)} dyad(s) "
                    f"of the month's ratings ({', '.join(lacking[:3])}), so an import's "
                    "checks would not see their ratings (a file changed outside rating-tui?): "
                    f"{REPAIR}",
                )
            )
    return out


NOT_USED = (
    "the month's summary is not used (the month's files are read instead): "
    "`rating-tui doctor --repair` rewrites it"
)
REPAIR = "`rating-tui doctor --repair` rewrites it (or move its files aside: the month is read)"


def roles_in(files: Files) -> Roles | None:
    """id@version -> role -> field key, from the registry as `files` read it; None when it
    cannot be read (the dyads of the ratings cannot be told: no summary is written then)."""
    try:
        return roles_of(files.records(files.layout.registry, REGISTRY_TABLE))
    except StoreError:
        return None


def rewrite(txn: Transaction, codes: Mapping[str, set[str]], set_aside: list[Path]) -> None:
    """Make `codes` (month -> the dyads of all its ratings, every shard of it read) the
    months' summaries, in `txn` (a rebuild): in parts of `DYADS_LIMIT`, the summary's files
    beyond those emptied (never removed, so no gap is left). A file that cannot be read is
    renamed aside first (never overwritten)."""
    from rating_tui.store.shards import mark_format

    layout = txn.layout
    listing = layout.dyad_parts()
    needed = 0
    for month, held in sorted(codes.items()):
        numbers = listing.get(month, [])
        found: set[str] | None = set()
        for number in range(numbers[-1] + 1 if numbers else 0):
            path = layout.dyads_of(month, number)
            part = summary(txn.files, path) if number in numbers else None
            if part is None and path.exists():
                aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
                fileio.rename(path, aside)
                set_aside.append(aside)
            found = None if part is None or found is None else found | part
        if found == held and numbers:
            continue
        ordered = sorted(held)
        chunks = [ordered[i : i + DYADS_LIMIT] for i in range(0, len(ordered), DYADS_LIMIT)]
        count = max(len(chunks), 1, numbers[-1] + 1 if numbers else 0)
        for number in range(count):
            chunk = chunks[number] if number < len(chunks) else []
            txn.put_tables(layout.dyads_of(month, number), _table(chunk))
        needed = max(needed, DYAD_PART_FORMAT if count > 1 else DYAD_FORMAT)
    if needed:
        mark_format(txn, needed)
