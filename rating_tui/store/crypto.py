"""Encryption at rest: an AES-256-GCM codec, its key, and the passphrase that unlocks it.

A folder's data key is 32 random bytes. It never touches the disk in the clear: `store.json`
keeps it wrapped (AES-GCM) by a key derived from the passphrase with scrypt, whose parameters
and salt are stored beside it. Changing the passphrase rewraps the data key and rewrites only
`store.json`; the data is not touched. Every data file is `RTE1` + a 12-byte random nonce +
the AES-GCM ciphertext and tag: a flipped byte, a truncated file or a file from another
folder fails to decode (`CodecError`), which doctor reports.

While a folder is being converted (`convert.encrypt_folder`), `store.json` says
`"state": "encrypting"` and the codec also reads files not encrypted yet, so the folder stays
usable; afterwards a plain file in an encrypted folder is refused.

The `cryptography` package is imported only when an encrypted folder is opened; without it,
the message says how to install it (the `encrypt` extra).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rating_tui.store import fileio
from rating_tui.store.codec import PLAIN, Codec, CodecError
from rating_tui.store.errors import StoreError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NAME = "aesgcm-v1"
MAGIC = b"RTE1"
_NONCE = 12
_KEY_AAD = b"rating-tui data key"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
"""Default scrypt cost: 32 MiB of memory, a fraction of a second on a laptop (README)."""
INSTALL = "pip install 'rating-tui[encrypt]'"
ROSTER = "dyads.txt"
"""The study roster (`services.roster`): a text file, encrypted whole like a data file."""


class PassphraseError(StoreError):
    """No passphrase, or a wrong one: nothing was read or changed."""


class FolderLockedError(PassphraseError):
    """The app locked the folder after a pause (`lock`): its key is forgotten until the
    passphrase is typed again. Not a `CodecError`: the file is not damaged."""


class SealedCodec:
    """AES-256-GCM with the folder's data key (see the module docstring)."""

    name = NAME

    def __init__(self, key: bytes, *, accept_plain: bool = False) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead: AESGCM | None = AESGCM(key)
        self._fingerprint = hashlib.sha256(key).digest()
        """Tells the same key again on `restore` (a hash of a random key reveals nothing)."""
        self.accept_plain = accept_plain
        """True while the folder is being converted: files not encrypted yet are read."""

    @property
    def locked(self) -> bool:
        return self._aead is None

    def forget(self) -> None:
        """Drop the key: every read or write refuses (`FolderLockedError`) until `restore`.
        Python cannot promise that the freed memory is overwritten; the objects are gone."""
        self._aead = None

    def restore(self, key: bytes) -> None:
        """Take the key back (unwrapped again from the typed passphrase)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if hashlib.sha256(key).digest() != self._fingerprint:
            raise StoreError(
                "The folder's data key is not the one it was opened with (was the folder "
                "replaced?): quit and open it again. Nothing was read or written."
            )
        self._aead = AESGCM(key)

    def ensure_open(self) -> None:
        """`FolderLockedError` while the key is forgotten (`codec.check_open`)."""
        self._cipher()

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            raise FolderLockedError(
                "The data folder is locked: type its passphrase to unlock it. Nothing was "
                "read or written."
            )
        return self._aead

    def encode(self, data: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return MAGIC + nonce + self._cipher().encrypt(nonce, data, MAGIC)

    def decode(self, data: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        if not data.startswith(MAGIC):
            if self.accept_plain:
                return data
            raise CodecError(
                "not encrypted, in an encrypted folder: it was not written by rating-tui"
            )
        body = memoryview(data)[len(MAGIC) :]  # slices of a view copy nothing (a month is MBs)
        if len(body) < _NONCE + 16:
            raise CodecError("the encrypted file is cut short")
        try:
            return self._cipher().decrypt(body[:_NONCE], body[_NONCE:], MAGIC)
        except InvalidTag:
            raise CodecError(
                "its encrypted content does not verify: the file was changed, damaged or "
                "comes from another folder"
            ) from None


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


# --- keys --------------------------------------------------------------------------------------


def require() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        raise StoreError(
            f"Encryption needs the 'cryptography' package, which is not installed: {INSTALL}"
        ) from None


def derive(passphrase: str, kdf: dict[str, Any]) -> bytes:
    """The key-encryption key: scrypt over the passphrase with the folder's parameters."""
    require()
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = base64.b64decode(kdf["salt"])
    return Scrypt(salt=salt, length=32, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])).derive(
        passphrase.encode("utf-8")
    )


def new_kdf(cost: dict[str, int] | None = None) -> dict[str, Any]:
    params = dict(cost or SCRYPT)
    return {"name": "scrypt", **params, "salt": base64.b64encode(secrets.token_bytes(16)).decode()}


def wrap(data_key: bytes, passphrase: str, kdf: dict[str, Any]) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE)
    sealed = AESGCM(derive(passphrase, kdf)).encrypt(nonce, data_key, _KEY_AAD)
    return base64.b64encode(nonce + sealed).decode()


def unwrap(marker: dict[str, Any], passphrase: str) -> bytes:
    """The data key, or `PassphraseError` when the passphrase does not open it."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        kdf, blob = marker["kdf"], base64.b64decode(marker["key"])
        kek = derive(passphrase, kdf)
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"store.json does not hold a valid wrapped key ({exc})") from None
    try:
        return AESGCM(kek).decrypt(blob[:_NONCE], blob[_NONCE:], _KEY_AAD)
    except InvalidTag:
        raise PassphraseError(
            "The passphrase is wrong: the data folder was not opened and nothing was changed."
        ) from None


# --- the marker --------------------------------------------------------------------------------


def read_marker(root: Path) -> dict[str, Any] | None:
    try:
        raw = fileio.read_bytes(root / "store.json", limit=1024 * 1024)
    except StoreError:
        return None  # the folder is not one (a file, say): the engine says so when it starts
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None  # the engine reports a damaged marker
    return data if isinstance(data, dict) else None


def write_marker(root: Path, marker: dict[str, Any]) -> None:
    fileio.write_atomic(root / "store.json", json.dumps(marker).encode())


def is_encrypted(marker: dict[str, Any] | None) -> bool:
    return marker is not None and marker.get("codec") == NAME


# --- the passphrase ----------------------------------------------------------------------------


@dataclass
class _Unlocked:
    codec: SealedCodec
    key: str


_unlocked: dict[Path, _Unlocked] = {}


def passphrase(prompt: str) -> str:
    """The passphrase from `rating_tui.passphrase`, or `PassphraseError` saying how to give
    it. The store itself never prompts."""
    from rating_tui import passphrase as source

    try:
        return source.ask(prompt)
    except source.PassphraseUnavailable as exc:
        raise PassphraseError(
            f"This data folder is encrypted and needs its passphrase: {exc}. Nothing was read "
            "or changed."
        ) from None


def codec_for(root: Path, given: str | None = None) -> Codec:
    """The codec a folder is stored with: plain, or AES-GCM unlocked by the passphrase (asked
    once per process and folder; the key stays in memory only)."""
    marker = read_marker(root)
    if not is_encrypted(marker):
        return PLAIN
    assert marker is not None
    require()
    key = root.resolve()
    accept_plain = marker.get("state") == "encrypting"
    known = _unlocked.get(key)
    if known is not None and known.key == marker.get("key") and given is None:
        known.codec.accept_plain = accept_plain
        return known.codec
    secret = given if given is not None else passphrase(f"Passphrase for {root}: ")
    codec = SealedCodec(unwrap(marker, secret), accept_plain=accept_plain)
    _unlocked[key] = _Unlocked(codec, str(marker.get("key")))
    return codec


def forget_keys() -> None:
    """Forget which folders were unlocked (after a conversion; tests): the next open asks."""
    _unlocked.clear()


_locked: dict[Path, SealedCodec] = {}


def lock(root: Path) -> bool:
    """The app's idle lock: forget the key of the folder `root` (every store opened on it
    refuses to read or write until `unlock`). False when it was not unlocked (plain)."""
    known = _unlocked.pop(root.resolve(), None)
    if known is None:
        return False
    known.codec.forget()
    _locked[root.resolve()] = known.codec
    return True


def unlock(root: Path, secret: str) -> None:
    """Derive the key again from `secret` and give it back to the locked folder's stores;
    `PassphraseError` (nothing changed) when it is wrong."""
    key = root.resolve()
    codec = _locked.get(key)
    marker = read_marker(root)
    if marker is None or not is_encrypted(marker):
        raise StoreError(f"{root} is no longer an encrypted data folder: quit and open it again.")
    data_key = unwrap(marker, secret)
    if codec is None:  # its key was not forgotten (opened with a codec of its own)
        return
    codec.restore(data_key)
    del _locked[key]
    _unlocked[key] = _Unlocked(codec, str(marker.get("key")))
