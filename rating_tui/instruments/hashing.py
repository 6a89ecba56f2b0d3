"""The canonical content hash that identifies the exact content of an instrument version.

It is computed over the validated model, not the file's bytes: whitespace, comments, key
order and spelling out a default (`required = true`) do not change it; any change of meaning
does. Leaving defaults out also keeps old hashes stable when a later release of the format
adds an optional key.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rating_tui.instruments.model import Instrument


def canonical_json(instrument: Instrument) -> str:
    """The normalised form that is hashed: sorted keys, no defaults, NFC text with LF lines."""
    data = _normalise(instrument.model_dump(mode="json", exclude_defaults=True))
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(instrument: Instrument) -> str:
    """sha256 of `canonical_json`, as 64 hex digits."""
    return hashlib.sha256(canonical_json(instrument).encode("utf-8")).hexdigest()


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    if isinstance(value, dict):
        return {_normalise(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value
