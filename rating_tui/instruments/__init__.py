"""Instruments: the file format, loading and validation, discovery, the built-in instrument."""

import os

# Third-party pydantic plugins would see every validated value, clinical data included, and
# discovering them costs start-up time; rating-tui uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
