"""Where a question came from, kept so that it goes back there unchanged: today, REDCap's
own field type and validation (a dropdown with autocomplete stays one through
`import-redcap` and `export-redcap`, rather than becoming a radio list)."""

from __future__ import annotations

from typing import Literal

from rating_tui.instruments.base import Strict

RedcapType = Literal[
    "text", "notes", "radio", "dropdown", "checkbox", "yesno", "truefalse", "slider"
]


class Redcap(Strict):
    """The REDCap field type and text validation (`autocomplete`, `date_dmy`, `email`...)."""

    type: RedcapType
    validation: str = ""
