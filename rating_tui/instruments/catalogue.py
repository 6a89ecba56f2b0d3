"""Discovery: every instrument in the built-in, per-user and extra folders, and lookup by ref.

Invalid files never stop discovery: they are kept as problems beside the valid instruments, so
the app can list them with their errors and `validate` can report them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rating_tui.instruments.loader import LoadedInstrument, load_instrument
from rating_tui.instruments.problems import InstrumentError, Problem
from rating_tui.instruments.sources import Source, default_sources, toml_files

__all__ = ["Catalogue", "Source", "default_sources", "discover", "find_conflicts", "semver_key"]


@dataclass
class Catalogue:
    """The instruments found, and the problems of the files that could not be used."""

    instruments: list[LoadedInstrument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0

    def get(self, ref: str) -> LoadedInstrument:
        """`id` (its newest version) or `id@version`; `LookupError` says what exists instead."""
        wanted_id, at, wanted_version = ref.partition("@")
        if at and not wanted_version:  # 'id@' was read as the newest version, unsaid
            raise LookupError(f"{ref!r} names no version: give ID@VERSION, or ID for the newest")
        versions = [li for li in self.instruments if li.instrument.id == wanted_id]
        if not versions:
            known = ", ".join(sorted({li.instrument.id for li in self.instruments})) or "none"
            raise LookupError(f"no instrument with id {wanted_id!r} (known: {known})")
        if not wanted_version:
            return max(versions, key=lambda li: semver_key(li.instrument.version))
        for li in versions:
            if li.instrument.version == wanted_version:
                return li
        have = ", ".join(sorted((li.instrument.version for li in versions), key=semver_key))
        raise LookupError(f"{wanted_id} has no version {wanted_version} (versions: {have})")


def discover(sources: Iterable[Source], reuse: Catalogue | None = None) -> Catalogue:
    """Load every instrument file of every source; never raises for a bad file.

    A file that `reuse` already holds a valid instrument from is taken from there instead of
    being read again (`validate PATH` checks a file, then the folders it may conflict with).
    """
    catalogue = Catalogue()
    seen: dict[str, LoadedInstrument] = {}
    loaded_before = {li.path.resolve(): li for li in reuse.instruments} if reuse else {}
    for source in sources:
        for file in _files(source, catalogue):
            catalogue.files_read += 1
            earlier = loaded_before.get(file.resolve()) if loaded_before else None
            try:
                loaded = (
                    replace(earlier, path=file, source=source.kind)
                    if earlier
                    else load_instrument(file, source.kind)
                )
            except InstrumentError as exc:
                catalogue.problems += exc.problems
                continue
            first = seen.get(loaded.ref)
            if first is None:
                seen[loaded.ref] = loaded
                catalogue.instruments.append(loaded)
            elif first.content_hash != loaded.content_hash:
                catalogue.problems.append(
                    Problem(
                        str(file),
                        f"claims {loaded.ref}, which {first.path} ({first.source}) already defines"
                        " with different content; give this file a new version number",
                        "version",
                    )
                )
    return catalogue


def _files(source: Source, catalogue: Catalogue) -> list[Path]:
    path = source.path
    try:
        if path.is_dir():
            found = toml_files(path)
            for odd in (p for p in found if p.suffix != ".toml"):  # it was passed over unsaid
                catalogue.problems.append(
                    Problem(
                        str(odd),
                        "not read: instrument files end in .toml, in lower case; rename it "
                        f"to {odd.with_suffix('.toml').name}",
                    )
                )
            named = source.kind in ("--instruments", "argument") or source.kind.startswith("$")
            if not found and named:  # a folder the user named, by an option or a variable
                given = f"holds no instrument file (*.toml) (given as {source.kind})"
                catalogue.problems.append(Problem(str(path), given))  # it gave none, unsaid
            return [p for p in found if p.suffix == ".toml"]
        if path.exists():
            return [path]
    except OSError as exc:
        catalogue.problems.append(Problem(str(path), f"cannot be read: {exc.strerror or exc}"))
        return []
    if source.must_exist:
        catalogue.problems.append(
            Problem(str(path), f"no such file or folder (given as {source.kind})")
        )
    return []


_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([^+]+))?")


def semver_key(version: str) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
    """Sort key for semantic versions: 1.2.0-rc.1 < 1.2.0 < 1.10.0."""
    match = _SEMVER.match(version)
    if not match:
        return (0, 0, 0, 0, ())
    major, minor, patch, pre = match.groups()
    release = 1 if pre is None else 0
    pre_key = tuple((0, int(p)) if p.isdigit() else (1, p) for p in (pre.split(".") if pre else []))
    return (int(major), int(minor), int(patch), release, pre_key)


def find_conflicts(checked: Catalogue, known: Catalogue) -> list[Problem]:
    """Problems for checked files that claim an id@version known elsewhere with other content."""
    problems = []
    for li in checked.instruments:
        for other in known.instruments:
            same_file = other.path.resolve() == li.path.resolve()
            if other.ref == li.ref and other.content_hash != li.content_hash and not same_file:
                problems.append(
                    Problem(
                        str(li.path),
                        f"claims {li.ref}, which {other.path} ({other.source}) defines with "
                        "different content; give this file a new version number",
                        "version",
                    )
                )
    return problems
