"""Looking for plain text in an encrypted folder's bytes without false alarms.

A sealed audit line stores its ciphertext as base64 (`{"sealed": "UlRF...", "txn": ...}`), and
four given characters such as `D417` turn up in a random base64 string of the log's length
about once in 5,000 logs: a test that kills a conversion at each of ~37 fsyncs and searches
every folder failed once in CI on such a chance match. Plain JSON or a plain roster never hold
a secret inside a run of 40 base64 characters (quotes, colons, commas and newlines break the
run), so those runs are removed before searching: a real leak is still found.
"""

from __future__ import annotations

import re

_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/=]{40,}")


def readable(raw: bytes) -> bytes:
    """`raw` without its long base64 runs (ciphertext as text)."""
    return _BASE64_RUN.sub(b"", raw)


def leaks(raw: bytes, secret: bytes) -> bool:
    """Whether `secret` is in `raw` outside any ciphertext written as base64."""
    return secret in readable(raw)
