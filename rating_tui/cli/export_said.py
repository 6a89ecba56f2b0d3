"""What `rating-tui export` says beside its result: the ratings its statuses left out (with
the counts, of what the other filters asked for), and, when nothing matched, why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NoReturn

import typer

from rating_tui.cli.errors import fail, warn_incomplete
from rating_tui.cli.near_codes import other_case

if TYPE_CHECKING:
    from rating_tui.export.job import ExportRequest
    from rating_tui.export.nomatch import NoMatch
    from rating_tui.export.select import Instruments, Selection
    from rating_tui.export.sources import StoreSource


def left_out(counted: Iterable[Mapping[str, int]], selection: Selection) -> list[str]:
    """What the statuses asked for left out, with the counts (`counted`: the folders'
    tallies, and the count of a merge of several). Only ratings the other filters keep are
    counted: `--dyad PS0001 --status draft` said "not exported: 297 final rating(s)", of
    every dyad, as if they were PS0001's."""
    from rating_tui.export.nomatch import asked, given

    counts: dict[str, int] = {}
    for each in counted:
        for status, number in each.items():
            counts[str(status)] = counts.get(str(status), 0) + number
    if not counts:
        return []
    kinds = {"draft": "draft(s)", "voided": "voided rating(s)", "final": "final rating(s)"}
    held = " and ".join(
        f"{n} {kinds.get(s, f'rating(s) of status {s}')}" for s, n in sorted(counts.items())
    )
    if given(selection):
        filters = asked(selection).rpartition(" (status:")[0]
        return [
            f"not exported: {held} that match {filters} but not the status asked for "
            f"(status: {', '.join(selection.statuses)}; --status chooses which)"
        ]
    return [
        f"not exported: {held} (status: {', '.join(selection.statuses)}; --status chooses which)"
    ]


def refuse_no_match(
    refused: NoMatch,
    request: ExportRequest,
    sources: list[StoreSource],
    instruments: Instruments,
) -> NoReturn:
    """Fail with why nothing matched: the folders are read once (every rating, each month
    counted, so that a folder that lost ratings says so first, since that may be why), and
    each filter that matched nothing on its own is named with what exists instead."""
    from rating_tui.export.job import rating_stream
    from rating_tui.export.merge import MergeReport
    from rating_tui.export.nomatch import Held
    from rating_tui.export.select import Selection
    from rating_tui.ratings.model import STATUSES

    wanted = request.selection
    held = Held(wanted, instruments)
    if len(sources) == 1:
        for _ in sources[0].records(held.add_record, STATUSES):
            pass
    else:  # merged as the export merges them: the newest copy of a rating decides its status
        every = type(request)(selection=Selection(statuses=STATUSES))
        for r in rating_stream(every, sources, instruments, MergeReport()):
            ref = r.instrument
            held.add(r.status, (ref.id, ref.version, ref.hash), r.rater, r.session)
    warn_incomplete((s.warning() for s in sources), then=None)
    for line in other_case(
        (s.store for s in sources), wanted.dyad, wanted.rater, wanted.statuses,
        date_from=wanted.date_from, date_to=wanted.date_to, instrument=wanted.instrument,
    ):  # fmt: skip
        typer.echo(line, err=True)
    versions = [] if wanted.instrument is None else _versions(instruments, wanted.instrument)
    why = held.lines(lambda _: versions)
    fail("\n  ".join([str(refused), *why]))


def _versions(instruments: Instruments, wanted: str) -> list[str]:
    return [i.version for i in instruments.versions_of(wanted.partition("@")[0])]
