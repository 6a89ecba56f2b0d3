"""Session keys (small non-negative numbers) -> session indices, held in two flat arrays.

A data folder of 100,000 ratings holds tens of thousands of sessions, most rated once. A dict
from packed key to index costs two number objects and a slot per session (about 100 bytes)
that stay scattered in memory after reading; this table costs 12 bytes per slot, at most half
of the slots used (open addressing with linear probing, Fibonacci hashing), and nothing else.
"""

from __future__ import annotations

from array import array

EMPTY = -1
KEY_LIMIT = 1 << 62
"""Keys must be below this (they are kept as signed 64-bit numbers; -1 marks a free slot)."""
_GOLDEN = 0x9E3779B97F4A7C15
_WORD = (1 << 64) - 1


class KeyIndex:
    """`setdefault(key, new)` like a dict's, for keys 0 <= key < `KEY_LIMIT`."""

    __slots__ = ("_bits", "_count", "_keys", "_values")

    def __init__(self, bits: int = 10) -> None:
        self._bits = bits
        self._keys = array("q", [EMPTY]) * (1 << bits)
        self._values = array("i", [0]) * (1 << bits)  # indices < 2**31: 4 bytes, not 8
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def setdefault(self, key: int, new: int) -> int:
        """The index kept for `key`; `new` (kept from now on) when the key is new."""
        if not 0 <= key < KEY_LIMIT:
            raise ValueError(f"key {key} out of range")
        keys, mask = self._keys, (1 << self._bits) - 1
        slot = ((key * _GOLDEN) & _WORD) >> (64 - self._bits)
        while True:
            found = keys[slot]
            if found == key:
                return self._values[slot]
            if found == EMPTY:
                break
            slot = (slot + 1) & mask
        keys[slot] = key
        self._values[slot] = new
        self._count += 1
        if 2 * self._count > len(keys):
            self._grow()
        return new

    def _grow(self) -> None:
        """Twice the slots, every key placed again."""
        keys, values = self._keys, self._values
        self.__init__(self._bits + 1)  # type: ignore[misc]  # a fresh, larger table
        for key, value in zip(keys, values, strict=True):
            if key != EMPTY:
                self.setdefault(key, value)
