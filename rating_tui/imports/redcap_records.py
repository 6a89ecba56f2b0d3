"""REDCap records (step 6, not yet written)."""

from __future__ import annotations

from rating_tui.imports.batch import Batch, Known


def read_redcap_records(text: str, known: Known, instrument: str) -> Batch:
    raise ValueError("--format redcap is not supported yet")
