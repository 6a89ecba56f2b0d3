"""The JSON Schema of the instrument format, for editors that complete and check TOML."""

from __future__ import annotations

import json

from rating_tui.instruments.model import Instrument


def schema_json() -> str:
    """The schema as indented JSON text."""
    schema = Instrument.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rating-tui instrument",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
