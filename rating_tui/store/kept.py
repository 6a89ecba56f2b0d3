"""Reading the copies of instrument versions a data folder keeps (`instrument-files/`), so its
ratings can be read when an instrument file is lost or edited. A copy is read with the
`KEPT` context: rules added since it was written that only refuse what an instrument file
should not say do not lock its ratings out (see `instruments.model.KEPT`)."""

from __future__ import annotations

from pathlib import Path

from rating_tui.instruments.model import KEPT, Instrument
from rating_tui.store import fileio
from rating_tui.store.codec import Codec
from rating_tui.store.errors import StoreError


def read_copies(folder: Path, codec: Codec) -> tuple[list[Instrument], list[tuple[Path, str]]]:
    """The usable copies in `folder`, and (file, problem) for each that cannot be used
    (damaged, or not the content its name says)."""
    from pydantic import ValidationError

    from rating_tui.instruments.hashing import content_hash

    found: list[Instrument] = []
    problems: list[tuple[Path, str]] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            raw = fileio.read_bytes(path)
            if raw is None:
                continue
            instrument = Instrument.model_validate_json(codec.decode(raw), context=KEPT)
        except (StoreError, ValueError, ValidationError) as exc:
            problems.append((path, f"cannot be read: {str(exc).splitlines()[0]}"))
            continue
        if content_hash(instrument) != path.stem:
            problems.append((path, "its content does not have the hash it is named by"))
            continue
        found.append(instrument)
    return found, problems
