"""The columns of one export, over one or several versions of one instrument.

A wide file of several versions gets the union of their columns (newest version's order first)
and each rating is written with its own version's scales. Rating metadata columns have fixed
names; an instrument key that takes one of them keeps it, and the metadata column becomes
`rating_<name>` (a session field `rater` with role "rater" simply is the rater column).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rating_tui.export.columns import (
    Column,
    ValuesMode,
    ValueSpec,
    defuser,
    field_spec,
    item_spec,
    score_column,
)
from rating_tui.export.columns import merged_type as _merged_type
from rating_tui.export.errors import ExportError
from rating_tui.instruments.catalogue import semver_key
from rating_tui.instruments.hashing import content_hash
from rating_tui.instruments.model import Instrument
from rating_tui.instruments.scores import Score
from rating_tui.ratings.model import STATUSES, RatingContent

_HEAD = (
    Column("rating_id", "Rating id (UUID, unique across all data folders)", "rating", "string"),
    Column("instrument_id", "Instrument id", "rating", "string"),
    Column("instrument_version", "Instrument version (semantic version)", "rating", "string"),
    Column("instrument_hash", "sha256 of the instrument version's content", "rating", "string"),
)
_RATER = Column("rater", "Rater code", "rating", "string", required=True)
_STATUS = Column(
    "status",
    "Rating status",
    "rating",
    "string",
    tuple((s, s) for s in STATUSES),
    required=True,
    note="drafts and voided ratings are exported only when asked for",
)
_TAIL = (
    Column("created", "When the rating was first saved (UTC, ISO 8601)", "rating", "datetime"),
    Column("updated", "When the rating was last changed (UTC, ISO 8601)", "rating", "datetime"),
    Column("n_now_moments", "Number of now moments logged", "rating", "integer"),
    Column("notes", "Rater's free-text notes", "rating", "string"),
)


@dataclass(frozen=True)
class VersionPlan:
    """Where one instrument version's fields and items go in a row."""

    instrument: Instrument
    hash: str
    fields: tuple[tuple[int, ValueSpec], ...]
    items: tuple[tuple[int, ValueSpec], ...]
    item_specs: tuple[ValueSpec, ...]
    scores: tuple[tuple[int, Score], ...] = ()
    """Where each computed score of this version goes (wide layout only)."""


class Plan:
    """Columns and per-version cell writers for ratings of one instrument id."""

    def __init__(
        self, instruments: Sequence[Instrument], values: ValuesMode = "codes", guard: bool = True
    ) -> None:
        if not instruments:
            raise ExportError("nothing to export: no instrument version given")
        ids = sorted({i.id for i in instruments})
        if len(ids) > 1:
            raise ExportError(
                f"one table holds one instrument; found {', '.join(ids)}: "
                "export each with --instrument ID"
            )
        self.values: ValuesMode = values
        self.defuse = defuser(guard)
        """Applied to every text cell: `neutralise` unless the file is not for spreadsheets."""
        self.instruments = sorted(instruments, key=lambda i: semver_key(i.version), reverse=True)
        specs = {
            i.ref: (
                [field_spec(f, values, i.version, guard) for f in i.fields],
                [item_spec(i, it, values, guard) for it in i.items],
            )
            for i in self.instruments
        }
        fields = _union([s.column for i in self.instruments for s in specs[i.ref][0]])
        items = _union([s.column for i in self.instruments for s in specs[i.ref][1]])
        score_columns = {i.ref: [score_column(i, s) for s in i.scores] for i in self.instruments}
        scores = _union([c for i in self.instruments for c in score_columns[i.ref]])
        taken = {c.name for c in fields + items + scores}
        rater_is_field = all(
            (f := i.field_with_role("rater")) is not None and f.key == "rater"
            for i in self.instruments
        )
        mid = [] if rater_is_field else [_RATER]
        self.field_columns = [_rename(c, taken) for c in _HEAD] + fields
        self.status_columns = [_rename(c, taken) for c in [*mid, _STATUS]]
        self.item_columns = items
        self.score_columns = scores
        """Computed scores, after the items (wide layout only)."""
        self.tail_columns = [_rename(c, taken) for c in _TAIL]
        self.definitions = _all_definitions(
            [s.column for i in self.instruments for pair in specs[i.ref] for s in pair]
            + [c for i in self.instruments for c in score_columns[i.ref]]
        )
        """Every distinct definition of a field or item column (versions that agree share one),
        for the codebook."""
        head = self.field_columns + self.status_columns
        body = head + self.item_columns + self.score_columns
        index = {c.name: n for n, c in enumerate(body + self.tail_columns)}
        long_index = {c.name: n for n, c in enumerate(head)}
        self._versions: dict[tuple[str, str], VersionPlan] = {}
        self._long: dict[tuple[str, str], VersionPlan] = {}
        for i in self.instruments:
            field_specs, item_specs = specs[i.ref]
            hash_ = content_hash(i)
            self._versions[(i.id, i.version)] = VersionPlan(
                i,
                hash_,
                tuple((index[s.key], s) for s in field_specs),
                tuple((index[s.key], s) for s in item_specs),
                tuple(item_specs),
                tuple((index[s.key], s) for s in i.scores),
            )
            self._long[(i.id, i.version)] = VersionPlan(
                i, hash_, tuple((long_index[s.key], s) for s in field_specs), (), tuple(item_specs)
            )
        self.head_width = len(head)
        self.width = len(index)

    @property
    def wide_columns(self) -> list[Column]:
        return (
            self.field_columns
            + self.status_columns
            + self.item_columns
            + self.score_columns
            + self.tail_columns
        )

    @property
    def versions(self) -> list[str]:
        return [i.version for i in self.instruments]

    def version_plan(
        self, rating: RatingContent, rating_id: str, long: bool = False
    ) -> VersionPlan:
        """The plan of the rating's instrument version; refuses other instruments or content."""
        ref = rating.instrument
        return self.plan_of(ref.id, ref.version, ref.hash, rating_id, long)

    def plan_of(
        self, instrument_id: str, version: str, hash_: str, rating_id: str, long: bool = False
    ) -> VersionPlan:
        """`version_plan` from the parts of the rating's instrument reference."""
        found = (self._long if long else self._versions).get((instrument_id, version))
        ref = f"{instrument_id}@{version}"
        if found is None:
            have = ", ".join(i.ref for i in self.instruments)
            raise ExportError(
                f"rating {rating_id} was made with {ref}, which is not part of this export "
                f"({have}); choose it with --instrument or add --all-versions"
            )
        if found.hash != hash_:
            raise ExportError(
                f"rating {rating_id} was made with other content of {ref} (hash "
                f"{hash_[:12]}...) than the instrument file found ({found.hash[:12]}...); "
                "put the exact version the rating was made with in an instruments folder"
            )
        return found


def _rename(column: Column, taken: set[str]) -> Column:
    name = column.name
    if name not in taken:
        return column
    name = f"rating_{column.name}"
    while name in taken:
        name += "_"
    return replace(column, name=name)


def _union(columns: list[Column]) -> list[Column]:
    """One column per name, first seen first, with versions and types combined."""
    out: dict[str, Column] = {}
    for c in columns:
        seen = out.get(c.name)
        if seen is None:
            out[c.name] = c
        else:
            versions = seen.versions + tuple(v for v in c.versions if v not in seen.versions)
            out[c.name] = replace(seen, type=_merged_type(seen.type, c.type), versions=versions)
    return list(out.values())


def _all_definitions(columns: list[Column]) -> list[Column]:
    """Distinct definitions of each column name (identical ones across versions collapse)."""
    out: list[Column] = []
    for c in columns:
        for n, seen in enumerate(out):
            if seen.name == c.name and seen.same_definition(c):
                out[n] = replace(seen, versions=seen.versions + c.versions)
                break
        else:
            out.append(c)
    return out
