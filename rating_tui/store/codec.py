"""The bytes-level hook between serialisation and file I/O.

Every data file goes JSON -> UTF-8 bytes -> `Codec.encode` -> disk, and back through
`Codec.decode`. The default codec passes bytes through; `crypto.SealedCodec` encrypts
(AES-256-GCM with the folder's data key, unlocked by its passphrase). `Store.open` takes the
codec the folder's format marker names: no caller changes, backups are encrypted too, and a
folder is never read with the wrong codec.
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class CodecError(ValueError):
    """The bytes on disk cannot be decoded (damaged, or written with another key/codec)."""


class Codec(Protocol):
    """Turns serialised bytes into stored bytes and back."""

    @property
    def name(self) -> str:
        """Recorded in the folder's format marker, e.g. "plain" or "aesgcm-v1"."""
        ...

    def encode(self, data: bytes) -> bytes: ...

    def decode(self, data: bytes) -> bytes:
        """Inverse of `encode`; raises `CodecError` when `data` is not valid for this codec."""
        ...


class PlainCodec:
    """No transformation: files are readable JSON (the default)."""

    name = "plain"

    def encode(self, data: bytes) -> bytes:
        return data

    def decode(self, data: bytes) -> bytes:
        return data


PLAIN = PlainCodec()


def check_open(codec: Codec) -> None:
    """Raise (`crypto.FolderLockedError`) while the codec's key is forgotten by the app's
    idle lock: then not even a file parsed earlier and kept in memory is served."""
    ensure = getattr(codec, "ensure_open", None)
    if ensure is not None:
        ensure()


def to_json(value: object) -> str:
    """Compact JSON text. NaN and infinity are refused: they are not JSON, and another tool
    could not read the file back."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def load(raw: bytes, codec: Codec) -> Any:
    """Decode and parse; raises `CodecError` or `ValueError` (incl. JSON errors) on bad bytes."""
    data = codec.decode(raw)
    return json.loads(data.decode("utf-8"))
