"""The pre-store checks of a whole-file import (`services.session_checks`), one dyad at a
time from the first pass's sorted runs (`keys.FileKeys.by_dyad`), so that checking a file
of any size holds one dyad's ratings, not the file's.

Each new rating is checked against the stored ratings of its dyad (in the order the store
gives them) and the file's earlier lines of it, as `session_checks.import_findings` does
holding them all; a rating whose id is already stored is left out. The stored ratings of
the file's dyads are read once: their session facts join the runs by dyad (before the file's
lines of each dyad), their ids are matched against the file's ids through runs too
(`FileKeys.stored_lines`: one bit a line). The runs of what was read from an encrypted folder
(the stored ratings' facts and ids, the findings that name them) are sealed with a key made
for this one import and never stored (`SortedRuns(sealed=True)`); the runs of the file's own
keys hold what the file itself holds in the clear. The findings are put back in line order through
one more set of runs, so they are said exactly as before: by line, rising.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date
from typing import Any

from rating_tui.imports.keys import FileKeys, Held, line_key, pack_facts, unpack_facts
from rating_tui.ratings.checks import Finding, SessionFacts, facts
from rating_tui.services.session_checks import InstrumentOf, session_findings, stored_of
from rating_tui.store.api import Store


def import_findings(
    store: Store | None,
    keys: FileKeys,
    today: date,
    instrument_of: InstrumentOf,
    roster: list[str] | None = None,
) -> Iterator[tuple[int, str, list[Finding]]]:
    """(line, rating id, findings) of each new rating with findings, in line order. The runs
    by dyad are drained: this is done once per first pass."""
    sealed = store is not None and store.encrypted  # (what reaches the disk stays sealed)
    stored_ids, stored_facts = Held(keys, sealed), Held(keys, sealed)
    if store is not None:
        for rating in stored_of(store, keys.dyads):
            found = facts(rating, instrument_of(rating))
            group = found.dyad or ""
            stored_facts.add((group, "", ""), (group, 0, pack_facts(found)))
            stored_ids.add((rating.id, "", ""), rating.id)
    stored = keys.stored_lines(stored_ids)
    said = Held(keys, sealed)
    current: str | None = None
    pool: list[SessionFacts] = []
    # A dyad's stored ratings (in the store's order) before the file's lines of it.
    both = heapq.merge(stored_facts.drain(), keys.by_dyad.drain(), key=_group_line)
    for group, line, packed in both:
        if group != current:
            current, pool = group, []
        found = unpack_facts(packed)
        if line and line in stored:
            continue
        if line and found.status != "voided":
            findings = session_findings(found, pool, today, roster)
            if findings:
                shown = [(f.severity, f.kind, f.message, f.other) for f in findings]
                said.add((line_key(line), "", ""), (line, found.id, shown))
        pool.append(found)
    keys.by_dyad.close()
    stored_facts.close()
    try:
        for line, rating_id, shown in said.drain():
            yield line, rating_id, [Finding(*f) for f in shown]
    finally:
        said.close()


def _group_line(entry: tuple[str, int, Any]) -> tuple[str, int]:
    return entry[0], entry[1]
