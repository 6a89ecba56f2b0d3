"""Tamper evidence (issue 16): the audit log is written with the ratings, and doctor names a
value changed by hand, a rating removed, a month file replaced and an edited log."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Rating
from rating_tui.ratings.model import utc_now
from rating_tui.store import Store, audit, journal
from rating_tui.store.doctor import Finding


def _errors(store: Store) -> list[Finding]:
    return [f for f in store.check() if f.level in ("error", "warning")]


def _month(store: Store, name: str = "2025-03") -> Path:
    return store.data_dir / "ratings" / f"{name}.json"


def _edit(path: Path, change: Callable[[dict[str, dict[str, object]]], None]) -> None:
    data = json.loads(path.read_bytes())
    change(data["ratings"])
    path.write_text(json.dumps(data))


def test_every_change_is_logged_with_who_what_and_why(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    draft = store.save_draft(make_rating(notes="a"), instrument)
    final = store.finalise(draft, instrument)
    edited = store.update(final.replace(notes="b"), instrument, by="CD", reason="typo")
    store.void(edited.id, by="EF", reason="wrong session")
    log = audit.read(store.data_dir, store._engine.codec)
    assert log is not None and not log.problems
    rows = [(r["action"], r["by"], r["reason"]) for e in log.entries for r in e.get("ratings", [])]
    assert rows == [
        ("created", "AB", None),
        ("finalised", "AB", None),
        ("update", "CD", "typo"),
        ("void", "EF", "wrong session"),
    ]
    assert [e["n"] for e in log.entries] == [0, 1, 2, 3, 4]
    assert _errors(store) == []


def test_a_value_changed_by_hand_is_named_with_the_rating_and_file(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(), instrument)
    other = store.finalise(make_rating(number=2), instrument)

    def change(records: dict[str, dict[str, object]]) -> None:
        records[rating.id]["notes"] = "changed by hand"

    _edit(_month(store), change)
    errors = _errors(store)
    assert len(errors) == 1, errors
    assert errors[0].path == _month(store)
    assert rating.id in errors[0].message and "changed outside rating-tui" in errors[0].message
    assert other.id not in errors[0].message


def test_a_removed_rating_and_a_replaced_month_are_reported(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument, tmp_path: Path
) -> None:
    first = store.finalise(make_rating(), instrument)
    old = tmp_path / "old-month.json"
    shutil.copy(_month(store), old)
    second = store.finalise(make_rating(number=2), instrument)
    store.update(first.replace(notes="later"), instrument, by="AB", reason="more")
    shutil.copy(old, _month(store))  # the month as it was before the last two changes
    messages = [f.message for f in store.check() if f.level == "error"]
    assert any(first.id in m and "changed outside" in m for m in messages), messages
    assert any(second.id in m and "missing" in m for m in messages), messages
    # with the index replaced too (so it agrees with the old month), the log still names it
    for bucket in (store.data_dir / "index").glob("*.json"):
        bucket.write_text('{"ids": {}}')
    (store.data_dir / "manifest.json").unlink()
    messages = [f.message for f in store.check() if f.level == "error"]
    assert any(second.id in m and "rating-tui last wrote it to" in m for m in messages), messages


def test_a_month_that_cannot_be_read_is_not_said_to_hold_its_ratings_as_logged(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    store.finalise(make_rating(), instrument)
    _month(store).write_bytes(b'{"ratings": {')  # cut short: no rating can be compared
    said = [f.message for f in store.check() if f.path == _month(store) and f.level == "warning"]
    lastwrote = [m for m in said if "is not the file rating-tui last wrote" in m]
    assert lastwrote and all("cannot be read" in m for m in lastwrote), said
    assert not any("as logged" in m for m in said), said


def test_a_rating_added_by_hand_is_not_taken_as_written_by_rating_tui(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    rating = store.finalise(make_rating(), instrument)
    forged = make_rating(number=9).model_dump(mode="json")
    backdated = make_rating(number=8).model_dump(mode="json")
    old = "2020-01-01T00:00:00+00:00"

    def add(records: dict[str, dict[str, object]]) -> None:
        records[forged["id"]] = forged | {"status": "final", "updated": utc_now().isoformat()}
        records[backdated["id"]] = backdated | {"status": "final", "updated": old}

    _edit(_month(store), add)
    messages = [f.message for f in store.check() if f.level == "error"]
    assert any(forged["id"] in m and "not written by rating-tui" in m for m in messages)
    # one dated before the log started is still counted: none were stored then
    assert any("but only 0 were stored" in m and "1 were added" in m for m in messages)
    assert rating.id not in " ".join(messages)


def test_an_edited_or_removed_log_line_breaks_the_chain(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    for n in range(3):
        store.finalise(make_rating(number=n + 1), instrument)
    log = audit.log_path(store.data_dir)
    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], lines[2], lines[3]]) + "\n")
    messages = [f.message for f in store.check() if f.level == "error"]
    assert any("does not follow" in m for m in messages), messages


def test_a_folder_from_before_the_log_says_where_it_starts(
    store: Store, make_rating: Callable[..., Rating], instrument: Instrument
) -> None:
    old = store.finalise(make_rating(), instrument)
    audit.log_path(store.data_dir).unlink()  # as a folder written before issue 16 is
    notes = [f.message for f in store.check() if f.level == "info" and "audit" in f.message]
    assert _errors(store) == []
    assert any("no audit log yet" in n and "1 rating(s)" in n for n in notes), notes
    store.finalise(make_rating(number=2), instrument)
    assert _errors(store) == []
    notes = [f.message for f in store.check() if "audit log:" in f.message]
    assert "1 saved before the log started are not covered" in notes[0], notes
    store.update(old.replace(notes="now covered"), instrument, by="AB", reason="r")
    assert [f for f in store.check() if "audit" in f.message] == []  # all covered now


def test_a_crash_before_the_log_line_is_appended_is_completed_on_open(
    data_dir: Path, make_rating: Callable[..., Rating], instrument: Instrument, monkeypatch
) -> None:
    store = Store.open(data_dir)
    store.finalise(make_rating(), instrument)

    def die(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies after the renames, before the append

    monkeypatch.setattr(audit, "append", die)
    rating = make_rating(number=2)
    with contextlib.suppress(KeyboardInterrupt):
        store.finalise(rating, instrument)
    monkeypatch.undo()
    assert (data_dir / "journal.json").exists()
    reopened = Store.open(data_dir)
    assert not (data_dir / "journal.json").exists()
    assert reopened.get(rating.id).status == "final"
    assert _errors(reopened) == []
    lines = audit.log_path(data_dir).read_text().splitlines()
    assert len(lines) == 3  # start, first save, second save: appended once


def test_the_journal_of_a_big_import_is_read_back_whole(data_dir: Path) -> None:
    from rating_tui.store.layout import Layout

    layout = Layout(data_dir)
    data_dir.mkdir()
    line = json.dumps({"txn": "0" * 16, "entry": {"n": 1, "ratings": ["x" * 3_000_000]}})
    entry = {"transaction": "0" * 16, "files": ["manifest.json"], "audit": [line]}
    layout.journal.write_text(json.dumps(entry))  # an import of ~15,000 ratings: 3 MB
    found = journal.read_journal(layout)
    assert isinstance(found, journal.Journal) and found.audit == [line]


@pytest.mark.parametrize("torn", [b"", b'{"txn": "cut sh'])
def test_the_last_line_is_found_whole_past_the_first_bytes_read(
    tmp_path: Path, torn: bytes
) -> None:
    log = tmp_path / "audit.jsonl"
    lines = [b"a" * 20_000, b"b" * 10_000, b"c" * 5_000]
    log.write_bytes(b"\n".join(lines) + b"\n" + torn)
    assert audit.last_line(log) == ("c" * 5_000, bool(torn))
    log.write_bytes(b"x" * 9_000 + b"\n" + torn)  # one line: found from the file's start
    assert audit.last_line(log) == ("x" * 9_000, bool(torn))
