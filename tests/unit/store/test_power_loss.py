"""Simulated power loss (issue 10): record every file operation of a save, a month move, an
import and a merge, and for every prefix of that log build the disk a power cut would leave
(`powerloss`: data not fsynced lost, directory changes not fsynced undone). The store must open
on each, doctor must find no error, every acknowledged change must be there, and the change in
flight must be there entirely or not at all, the months' summaries of dyads with it."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rating_tui import passphrase
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import STATUSES, Rating
from rating_tui.ratings.model import Revision
from rating_tui.store import Store, deltas, dyads, index, journal, layout, settle, shards
from rating_tui.store.convert import encrypt_folder
from tests.unit.store.plaintext import leaks
from tests.unit.store.powerloss import Recorder, materialise

MIN_STATES = 240
"""The log has more operations than this (the README gives the numbers)."""
MIN_TORN = 40
"""States with an index file or the manifest torn by a power cut in its in-place write (a
mix of its bytes, `powerloss`): more than this."""


def _content(store: Store) -> dict[str, dict[str, Any]]:
    return {r.id: r.model_dump(mode="json") for r in store.list(statuses=STATUSES, limit=None)}


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_every_power_cut_state_opens_clean_with_all_or_nothing_of_each_change(
    tmp_path: Path,
    make_rating: Callable[..., Rating],
    instrument: Instrument,
    encrypted: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "live"
    store = Store.open(data)
    first = store.finalise(make_rating(day="2025-03-04", notes="first"), instrument)
    draft = store.save_draft(make_rating(day="2025-04-04", notes="draft"), instrument)
    if encrypted:  # issue 16: the same file operations, through the AES-GCM codec
        encrypt_folder(data, "pw", cost={"n": 2**10, "r": 8, "p": 1})
        monkeypatch.setenv(passphrase.ENV, "pw")
        store = Store.open(data)
    known = {instrument.ref: instrument}
    recorder = Recorder(data)
    expected = [_content(store)]
    labels: list[str] = []

    def step(label: str, change: Callable[[], object]) -> None:
        with recorder.recording():
            change()
        recorder.mark(label)
        labels.append(label)
        expected.append(_content(store))

    step("save", lambda: store.finalise(make_rating(day="2025-03-09", notes="new"), instrument))
    step(
        "move",
        lambda: store.update(
            first.with_field("session_date", "2025-06-01"), instrument, by="AB", reason="date"
        ),
    )
    step("draft", lambda: store.save_draft(draft.replace(notes="more"), instrument))
    batch = [
        make_rating(day=f"2025-0{1 + n % 3}-1{n}", number=n + 1, dyad=f"D0{n}0") for n in range(6)
    ]
    # Changes of at most `journal.CARRY_LIMIT` bytes (these all) carry their files' bytes
    # in the journal; bigger ones (an import) stage files. Some steps here stage, so both
    # kinds, and each following the other, are cut at every operation.
    carry_limit = journal.CARRY_LIMIT
    monkeypatch.setattr(journal, "CARRY_LIMIT", 0)
    step("import", lambda: store.import_ratings(batch, known))
    monkeypatch.setattr(journal, "CARRY_LIMIT", carry_limit)
    # An import of three batches, one transaction that spills each batch to its staged files
    # (`spilled`), its audit lines in a staged file the journal names: the later batches
    # write again the months, the index files and the manifest the first one staged.
    batches = [
        [make_rating(day=f"2025-0{1 + n % 3}-2{n}", number=80 + n, dyad=f"D0{n}1") for n in ns]
        for ns in ((0, 1), (2, 3), (4, 5))
    ]
    step("batches", lambda: store.import_batches(batches, known))
    moved = store.get(first.id)
    revision = Revision(
        at=moved.updated, by="CD", reason="merged", action="update", previous=moved.content()
    )
    newer = moved.replace(notes="merged copy", revisions=[*moved.revisions, revision])
    extra = [make_rating(day="2025-07-01", number=20 + n) for n in range(2)]
    step("merge", lambda: store.merge_ratings(extra, [newer], known))
    # A save that starts a new part of July (2 ratings there, a limit of 2) with the index
    # file of an id made to share its first two digits with a stored one (past a limit of 1,
    # it splits): a new part, an index node and its children in one transaction, and the
    # folder's format raised before it. Then an import that fills that part and starts two
    # more. With summaries of dyads of a code each, the save's dyad, new to July, starts a
    # part of July's summary (carried in the journal) and the import's five more (staged).
    monkeypatch.setattr(shards, "SHARD_LIMIT", 2)
    monkeypatch.setattr(dyads, "DYADS_LIMIT", 1)
    monkeypatch.setattr(index, "BUCKET_LIMIT", 1)
    twin = first.id[:2] + ("0" if first.id[2] != "0" else "1") + first.id[3:]
    starting = make_rating(day="2025-07-02", number=30, dyad="D079").replace(id=twin)
    step("new part", lambda: store.finalise(starting, instrument))
    july = [make_rating(day=f"2025-07-1{n}", number=40 + n, dyad=f"D07{n}") for n in range(5)]
    monkeypatch.setattr(journal, "CARRY_LIMIT", 0)
    step("parts", lambda: store.import_ratings(july, known))
    monkeypatch.setattr(journal, "CARRY_LIMIT", carry_limit)
    # The parts exist (their names say so in an encrypted folder too, whose bytes cannot be
    # read here), and the index file split.
    ratings = store.data_dir.joinpath("ratings")
    assert {p.name for p in ratings.glob("2025-07.*.json")} == {
        f"2025-07.p{n}.json" for n in (1, 2, 3)
    }
    assert list(store.data_dir.joinpath("index").glob(f"{twin[:2]}?.json"))
    summaries = store.data_dir.joinpath("dyads")
    assert {p.name for p in summaries.glob("2025-07.*.json")} == {
        f"2025-07.p{n}.json" for n in range(1, 7)
    }
    monkeypatch.setattr(dyads, "DYADS_LIMIT", layout.DYADS_LIMIT)
    # An import whose entries go to index delta files (their digit holds index entries, and
    # the share that compacts is set out of reach), a move of one of those ratings (its
    # delta is edited), then an import that compacts the digit's deltas into the index.
    monkeypatch.setattr(deltas, "DELTA_SHARE", math.inf)
    digit = first.id[0]
    fresh = [
        make_rating(day=f"2025-08-1{n}", number=60 + n).replace(id=digit + str(uuid.uuid4())[1:])
        for n in range(3)
    ]
    step("deltas", lambda: store.import_ratings(fresh, known))
    engine = store._engine
    assert [n for n in deltas.listed(engine.files, engine.layout) if n[0] == digit]
    # A file written by the previous change without an fsync and carried again is fsynced
    # once it has had `CHAIN_MAX` versions since it was last durable (here: at once).
    chain_max = settle.CHAIN_MAX
    monkeypatch.setattr(settle, "CHAIN_MAX", 1)
    step(
        "delta move",
        lambda: store.update(
            fresh[0].with_field("session_date", "2025-09-01"), instrument, by="AB", reason="date"
        ),
    )
    monkeypatch.setattr(settle, "CHAIN_MAX", chain_max)
    # An import whose delta takes in the digit's newest (merged among themselves) and, past
    # `DELTA_MAX`, is written as a node and its parts (format 5), then a move of one of its
    # ratings (the part holding it is edited).
    monkeypatch.setattr(deltas, "DELTA_MAX", 2)
    merged = [
        make_rating(day=f"2025-08-2{n}", number=64 + n).replace(id=digit + str(uuid.uuid4())[1:])
        for n in range(3)
    ]
    step("merged deltas", lambda: store.import_ratings(merged, known))
    assert any(
        n[0] == digit and count > 2
        for n, count in deltas.listed(engine.files, engine.layout).items()
    )
    step(
        "part move",
        lambda: store.update(
            merged[0].with_field("session_date", "2025-09-02"), instrument, by="AB", reason="d"
        ),
    )
    monkeypatch.setattr(deltas, "DELTA_LIMIT", 1)
    more = [make_rating(day="2025-08-20", number=70).replace(id=digit + str(uuid.uuid4())[1:])]
    step("compaction", lambda: store.import_ratings(more, known))
    assert not [n for n in deltas.listed(engine.files, engine.layout) if n[0] == digit]
    assert [n for n in deltas.unlisted(engine.files, engine.layout) if n[0] == digit]
    # Another store opening the folder rolls the kept journal forward and removes them
    # (recorded: what it makes durable, the states after it must not count on).
    step("open", lambda: Store.open(store.data_dir))
    assert not deltas.unlisted(engine.files, engine.layout)
    # A rebuild writes without a journal of its own kind (it sets damaged files aside): the
    # kept carried journal of the save before is made durable and removed first
    # (`journal.settle_all`).
    step("save again", lambda: store.finalise(make_rating(day="2025-10-01"), instrument))
    step("rebuild", store.rebuild_index)

    created = [op[1].name for op in recorder.log if op[0] == "create"]
    assert any(name.endswith(".staged") for name in created)  # staged files
    assert any(name.startswith(".audit.jsonl.") for name in created)  # a spilled import's
    assert any(name.endswith(".tmp") and ".journal" not in name for name in created)  # carried
    states = len(recorder.log) + 1
    print(f"crash states ({'encrypted' if encrypted else 'plain'}): {states}")
    assert states > MIN_STATES, states
    finished_journals = torn_states = 0
    for n, torn in ((n, torn) for n in range(states) for torn in (False, True)):
        files, acked = recorder.crash_state(n, torn)
        if torn:  # an index file or the manifest cut in the middle of its in-place write
            if files == recorder.crash_state(n)[0]:
                continue
            torn_states += 1
        if n and recorder.log[n - 1][0] == "ack" and not torn:  # just after a change returned
            finished_journals += _finished_journal(files)
        folder = materialise(files, recorder.folders, tmp_path / f"cut{n}{'t' * torn}")
        assert acked == labels[: len(acked)]
        opened = Store.open(folder)  # recovers: a journal is rolled forward
        if encrypted:
            assert not any(leaks(raw, b"D001") for raw in files.values())
        errors = [f for f in opened.check() if f.level == "error"]
        assert not errors, (n, errors)
        found = _content(opened)
        done = len(acked)
        allowed = [expected[done]] + ([expected[done + 1]] if done < len(labels) else [])
        assert found in allowed, (n, acked, set(found) ^ set(allowed[0]))
        _summaries_hold_their_months(opened, found.values(), n)
    # A change's journal stays after it returned (`journal.Unsynced`: its renames are not
    # yet fsynced) until the next change replaces it; and the removal of a finished journal
    # is not fsynced: states just after a change returned that hold its journal, its staged
    # files renamed or not, exist, and opened clean above (the journal is rolled forward).
    assert finished_journals > 0
    print(f"torn states: {torn_states}")
    assert torn_states > MIN_TORN, torn_states


def _summaries_hold_their_months(store: Store, records: Any, n: int) -> None:
    """Every month's summary of dyads names the dyad of every rating in the month (the
    months here all started with summaries), in every state a power cut leaves."""
    for record in records:
        session = record["session"]
        month = session["session_date"][:7]
        held = dyads.held(store._engine.files, store._engine.layout, month)
        assert held is not None and session["dyad"] in held, (n, month, session["dyad"], held)


def _finished_journal(files: dict[Path, bytes]) -> bool:
    """Whether a crash state holds a journal (after its change returned, so committed)."""
    return bool(files.get(Path("journal.json")))
