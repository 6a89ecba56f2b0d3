"""The one error type of the export package: its message is shown to the user as it is."""

from __future__ import annotations


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown instrument, mixed versions, bad input).
    The message names what was found and what to do instead."""
