"""Merging copies of ratings from several folders: nothing dropped, order-independent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from rating_tui.export import merge as merge_module
from rating_tui.export.merge import (
    Copies,
    Hashed,
    MergeReport,
    Source,
    merge,
    merge_origins,
    resolve,
)
from rating_tui.ratings import Rating, Revision

Make = Callable[..., Rating]


def key(rating: Rating) -> tuple[int, str, str]:
    return (0, str(rating.session.get("session_date", "")), rating.created.isoformat())


def run(*folders: list[Rating], names: list[str] | None = None) -> tuple[list[Rating], MergeReport]:
    report = MergeReport()
    named = names or [f"f{n}" for n in range(len(folders))]
    sources = [Source(name, lambda f=f: list(f)) for name, f in zip(named, folders, strict=True)]
    return list(merge(sources, key, report)), report


def edited(rating: Rating, notes: str, minutes: int, by: str = "AB") -> Rating:
    """`rating` edited as the store does it: the old content becomes a revision."""
    at = rating.updated + timedelta(minutes=minutes)
    revision = Revision(at=at, by=by, reason="fix", action="update", previous=rating.content())
    return rating.replace(notes=notes, updated=at, revisions=[*rating.revisions, revision])


def test_identical_copies_collapse_and_are_counted(make_rating: Make) -> None:
    a, b = make_rating(day="2025-01-01"), make_rating(day="2025-02-01")
    merged, report = run([a, b], [a], [b], [a, b])
    assert merged == [a, b]
    assert (report.read, report.merged, report.duplicates, report.conflicts) == (6, 2, 4, [])


def test_an_older_copy_is_superseded_by_the_copy_that_contains_it(make_rating: Make) -> None:
    old = make_rating()
    new = edited(old, "second thoughts", 5)
    merged, report = run([old], [new])
    assert merged == [new]
    assert (report.superseded, report.conflicts) == (1, [])


def test_diverged_copies_keep_the_newest_and_the_other_in_its_history(make_rating: Make) -> None:
    base = make_rating(notes="base")
    office = edited(base, "office", 10, by="CD")
    laptop = edited(base, "laptop", 5)
    merged, report = run([office], [laptop])
    [result] = merged
    assert result.notes == "office"
    contents = [e.content.notes for e in result.history()]
    assert contents == ["base", "laptop", "office"]  # every version kept, oldest first
    [conflict] = report.conflicts
    assert (conflict.rating_id, conflict.sources, conflict.kept) == (base.id, ["f0", "f1"], "f0")
    added = result.revisions[-1]
    assert added.by == "rating-tui merge" and "copy in f1" in added.reason


def test_the_result_does_not_depend_on_folder_order_and_remerging_is_stable(
    make_rating: Make,
) -> None:
    base = make_rating()
    one, two = edited(base, "one", 3), edited(base, "two", 4)
    forward, _ = run([one], [two], names=["laptop-1", "laptop-2"])
    backward, _ = run([two], [one], names=["laptop-2", "laptop-1"])
    assert forward[0].model_dump_json() == backward[0].model_dump_json()
    again, report = run(forward, [one], [two])
    assert again == forward
    assert report.conflicts == [] and report.superseded == 2


def test_ratings_are_streamed_in_session_date_order_across_folders(make_rating: Make) -> None:
    a, b, c, d = (make_rating(day=f"2025-0{m}-01") for m in (1, 2, 3, 4))
    merged, _ = run([a, c], [b, d])
    assert merged == [a, b, c, d]


def test_a_folder_that_changes_between_passes_loses_nothing(make_rating: Make) -> None:
    a, b = make_rating(), make_rating()
    reads = iter([[a, b], [a]])  # the second pass no longer sees b
    report = MergeReport()
    sources = [Source("moving", lambda: next(reads)), Source("other", lambda: [b])]
    assert {r.id for r in merge(sources, key, report)} == {a.id, b.id}


def test_resolve_reports_same_copies(make_rating: Make) -> None:
    a = make_rating()
    assert resolve([("x", a), ("y", a)]) == (a, "same", "x")


def test_copies_are_counted_from_the_ids_alone_across_sorted_runs(
    make_rating: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pass one lists ids (`Source.ids`) rather than reading ratings; they are sorted a few
    at a time (`RUN`, runs on disk) and each copy of an id held more than once is told its
    count at its place in its source."""
    monkeypatch.setattr(merge_module, "RUN", 2)
    a, b, c, d = (make_rating(day=f"2025-0{m}-01") for m in (1, 2, 3, 4))
    folders = [[a, b, c], [b, c, d], [c]]
    reads: list[str] = []

    def source(n: int, ratings: list[Rating]) -> Source:
        def read() -> list[Rating]:
            reads.append(f"f{n}")
            return list(ratings)

        return Source(f"f{n}", read, lambda: [r.id for r in ratings])

    report = MergeReport()
    sources = [source(n, f) for n, f in enumerate(folders)]
    assert [r.id for r, _ in merge_origins(sources, key, report)] == [a.id, b.id, c.id, d.id]
    assert reads == ["f0", "f1", "f2"]  # each folder's ratings read once, in pass two
    copies = Copies.of(sources, MergeReport())
    assert [copies.count(1, p, r.id) for p, r in enumerate(folders[1])] == [2, 3, 1]
    assert copies.hashed is None
    copies.close()
    assert (report.read, report.merged, report.duplicates) == (7, 4, 3)


def test_hashed_counts_keep_only_ids_held_more_than_once(
    make_rating: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counts a changed folder falls back on (`Hashed`, by hash, in memory)."""
    monkeypatch.setattr(merge_module, "HASHED_RUN", 2)
    a, b, c, d = (make_rating(day=f"2025-0{m}-01") for m in (1, 2, 3, 4))
    folders = [[a, b, c], [b, c, d], [c]]
    sources = [Source(f"f{n}", lambda f=f: list(f)) for n, f in enumerate(folders)]
    hashed = Hashed.of(sources, MergeReport())
    assert len(hashed) == 2  # b and c
    assert [hashed.count(r.id) for r in (a, b, c, d)] == [1, 2, 3, 1]


def test_each_result_comes_with_the_first_source_s_copy(make_rating: Make) -> None:
    old, other = make_rating(), make_rating()
    new = edited(old, "newer", 5)
    into, laptop = Source("into", lambda: [old]), Source("x", lambda: [new, other])
    results = list(merge_origins([into, laptop], key, MergeReport()))
    assert [(r.id, h) for r, h in results] == [(old.id, old), (other.id, None)]
    assert results[0][0] == new
