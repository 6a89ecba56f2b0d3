"""Which dyads each month holds: a summary the store keeps beside the months (format 6), so
that an import's session checks read only the months that hold a rating of the import's dyads.

`<data>/dyads/2026-01.json` is a TinyDB file (through the codec, like every data file) whose
table `dyads` names every dyad code (the value of a session field that is some instrument
version's dyad field, as the registry's roles say) of the ratings stored in month 2026-01
(all its parts), each as `{}`. It is written in the same transaction as the month's ratings,
by every change that puts a rating in a month (a new rating, a batch, an edit, a move, a
restore), so it is as crash-safe as they are. It only grows: a rating that moves away, is
voided or set aside leaves its code behind, which costs a month read for nothing but never
hides a rating.

A month has a summary only if every rating ever put in it went through this code: the
summary is started by the transaction that starts the month (its first file), and never for
a month that already has ratings (a folder of an older format: its months are read as
before; see `to_read`). Before the first transaction that writes a summary is committed,
`store.json` is marked format 6, so an older rating-tui, which would add ratings without
naming their dyads, refuses the folder instead. A summary that is missing, cannot be read or
is not of this form is not used: the month's files are read, as before.
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
from rating_tui.store.layout import DYAD_FORMAT, DYADS_TABLE, REGISTRY_TABLE, Layout, month_of
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
    first file is added to `txn`). A month with ratings and no summary gets none."""
    layout = txn.layout
    path = layout.dyads_of(month)
    exists = txn.will_exist(path)
    if not exists and txn.will_exist(layout.shard(month)):
        return  # ratings stored before summaries: the month is read as before
    wanted = codes(records, roles)
    text = txn.text(path) if exists else None  # (None too when `txn` changed it)
    if text is not None:
        if len(wanted) <= SEARCHES and _names(text, wanted):
            return  # a save of a dyad the month has: not even parsed
        held = _parsed(text)
        if held is None or wanted <= held:
            return  # (None: damaged, never overwritten, and not used: the month is read)
    elif exists:
        try:
            if wanted <= txn.records(path, DYADS_TABLE).keys():
                return
        except StoreError:
            return  # cannot be decoded: as damaged
    from rating_tui.store.shards import mark_format  # (shards imports the transaction too)

    mark_format(txn, DYAD_FORMAT)
    txn.change(path, DYADS_TABLE, _adding(wanted))


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


def _adding(wanted: set[str]) -> Any:
    def edit(records: Records) -> None:
        for code in sorted(wanted - records.keys()):
            records[code] = {}

    return edit


def to_read(files: Files, layout: Layout, shards: list[str], dyads: Collection[str]) -> list[str]:
    """The shards of `shards` that may hold a rating of `dyads`: those of a month whose
    summary names one of them, and every shard of a month without a usable summary. Call it
    under the lock the shards are read under (summaries only grow, so one read later than
    the shards' is a superset, never less)."""
    wanted = frozenset(dyads)
    by_month: dict[str, list[str]] = {}
    for shard in shards:
        by_month.setdefault(month_of(shard), []).append(shard)
    out: list[str] = []
    for month, names in by_month.items():
        held = summary(files, layout.dyads_of(month))
        if held is None or not wanted.isdisjoint(held):
            out += names
    return out


def summary(files: Files, path: Path) -> set[str] | None:
    """The codes summary file `path` names, or None when it is missing, cannot be read or
    decoded, or is not of the form `note` writes."""
    raw = files.text(path)
    return None if raw is None else _parsed(raw)


def _parsed(raw: bytes) -> set[str] | None:
    try:
        tables = json.loads(raw)
    except ValueError:
        return None
    table = tables.get(DYADS_TABLE) if isinstance(tables, dict) else None
    if not isinstance(table, dict) or any(v != {} for v in table.values()):
        return None
    return set(table)


def findings(
    files: Files, layout: Layout, codes: Mapping[str, set[str]]
) -> list[tuple[Literal["warning"], Path, str]]:
    """Doctor's findings (level, path, message) about the summaries of the months in
    `codes` (month -> the dyads of its ratings, as doctor read them)."""
    out: list[tuple[Literal["warning"], Path, str]] = []
    for month, held in sorted(codes.items()):
        path = layout.dyads_of(month)
        found = summary(files, path)
        if found is None and path.exists():
            out.append(
                (
                    "warning",
                    path,
                    "this summary of dyads cannot be read; it is not used "
                    "(the month's files are read instead): move it aside",
                )
            )
        lacking = sorted(held - found) if found is not None else []
        if lacking:
            out.append(
                (
                    "warning",
                    path,
                    f"this summary of dyads lacks {len(lacking)} dyad(s) "
                    f"of the month's ratings ({', '.join(lacking[:3])}), so an import's "
                    "checks would not see their ratings (a file changed outside rating-tui?): "
                    "move it aside, and the month's files are read instead",
                )
            )
    return out


def roles_in(files: Files) -> Roles | None:
    """id@version -> role -> field key, from the registry as `files` read it; None when it
    cannot be read (the dyads of the ratings cannot be told: no summary is written then)."""
    try:
        return roles_of(files.records(files.layout.registry, REGISTRY_TABLE))
    except StoreError:
        return None


def rewrite(txn: Transaction, codes: Mapping[str, set[str]], set_aside: list[Path]) -> None:
    """Make `codes` (month -> the dyads of all its ratings, every shard of it read) the
    months' summaries, in `txn` (a rebuild). A summary that cannot be read is renamed aside
    first (never overwritten)."""
    layout = txn.layout
    changed = False
    for month, held in sorted(codes.items()):
        path = layout.dyads_of(month)
        found = summary(txn.files, path)
        if found is None and path.exists():
            aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
            fileio.rename(path, aside)
            set_aside.append(aside)
        elif found == held:
            continue
        changed = True
        txn.put_tables(path, {DYADS_TABLE: {code: {} for code in sorted(held)}})
    if changed:
        from rating_tui.store.shards import mark_format

        mark_format(txn, DYAD_FORMAT)
