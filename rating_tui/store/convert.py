"""Turning a plain data folder into an encrypted one, and changing its passphrase.

`encrypt_folder`, under the store lock:

1. writes `store.json` with the wrapped data key, the scrypt parameters and
   `"state": "encrypting"` (from here the folder needs the passphrase, and reads files in
   either form);
2. encrypts every data file not encrypted yet - ratings, index, manifest, registry,
   instrument copies, backups, set-aside damaged files, the study roster `dyads.txt` - each
   by one atomic replace;
3. seals the audit log's lines (one atomic replace) and logs the new digests of the rating
   files;
4. removes `"state"` from `store.json`: from then on a file that is not encrypted is refused.

Killed at any moment, the folder is readable (each file is whole, in one form or the other)
and running it again with the same passphrase finishes it; a wrong passphrase is refused
before anything is written. `change_passphrase` rewraps the data key: only `store.json`
changes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.store import audit, crypto, fileio
from rating_tui.store.engine import Engine
from rating_tui.store.errors import StoreError
from rating_tui.store.layout import Layout

SKIPPED = {"store.json", ".lock", "journal.json", audit.LOG_NAME}
"""Files of the folder's root that are not converted (the log is sealed line by line)."""


@dataclass
class Converted:
    """What `encrypt_folder` did."""

    files: int = 0
    """Files encrypted by this run."""
    already: int = 0
    """Files found encrypted (by an earlier, interrupted run)."""
    left: list[Path] = field(default_factory=list)
    """Files that are neither data files nor the roster, left as they are (put there by
    hand: rating-tui writes none)."""
    was_encrypted: bool = False


def encrypt_folder(
    root: Path, secret: str, *, cost: dict[str, int] | None = None, lock_timeout: float = 10.0
) -> Converted:
    """Encrypt the folder `root` with `secret` (see the module docstring)."""
    marker = crypto.read_marker(root)
    if marker is None:
        raise StoreError(f"{root} is not a rating-tui data folder (no valid store.json)")
    opened = crypto.codec_for(root, secret)  # a wrong passphrase stops here, nothing written
    finished = crypto.is_encrypted(marker) and marker.get("state") != "encrypting"
    if finished and not _plain_roster(root):  # (a folder encrypted before its roster was
        return Converted(was_encrypted=True)  # encrypted has its roster converted below)
    engine = Engine(Layout(root), opened, lock_timeout)
    engine.start()  # rolls a crashed transaction forward, removes temp files
    done = Converted()
    with engine.locked(write=True):
        marker = crypto.read_marker(root) or {}
        if crypto.is_encrypted(marker):
            codec = crypto.codec_for(root, secret)
            assert isinstance(codec, crypto.SealedCodec)
        else:
            data_key = secrets.token_bytes(32)
            kdf = crypto.new_kdf(cost)
            marker = marker | {"codec": crypto.NAME, "kdf": kdf, "state": "encrypting"}
            marker["key"] = crypto.wrap(data_key, secret, kdf)
            crypto.write_marker(root, marker)
            codec = crypto.SealedCodec(data_key, accept_plain=True)
        live = sorted(engine.layout.snapshots.glob("*")) if engine.layout.snapshots.is_dir() else []
        if live:
            raise StoreError(
                f"An export is reading {root} (snapshot {live[0].name}); run encrypt again when "
                "it has finished. The folder is partly encrypted and fully readable."
            )
        for path in _files(root):
            if not _is_data(path) and path != root / crypto.ROSTER:
                done.left.append(path)
                continue
            raw = fileio.read_bytes(path)
            if raw is None:
                continue
            if crypto.is_sealed(raw):
                done.already += 1
                continue
            backups = engine.layout.backups
            temp = backups if backups in path.parents else None
            fileio.write_atomic(path, codec.encode(raw), temp_dir=temp)
            done.files += 1
        audit.rewrite_sealed(root, codec)
        _log_digests(engine, codec)
        marker.pop("state", None)
        crypto.write_marker(root, marker)
    crypto.forget_keys()
    return done


def change_passphrase(
    root: Path,
    old: str,
    new: str,
    *,
    cost: dict[str, int] | None = None,
    lock_timeout: float = 10.0,
) -> None:
    """Wrap the data key with `new`; a wrong `old` changes nothing (`PassphraseError`)."""
    marker = crypto.read_marker(root)
    if not crypto.is_encrypted(marker):
        raise StoreError(f"{root} is not encrypted: run `rating-tui encrypt` first")
    engine = Engine(Layout(root), crypto.codec_for(root, old), lock_timeout)
    with engine.locked(write=True):
        current: dict[str, Any] = crypto.read_marker(root) or {}
        data_key = crypto.unwrap(current, old)
        kdf = crypto.new_kdf(cost)
        current |= {"kdf": kdf, "key": crypto.wrap(data_key, new, kdf)}
        crypto.write_marker(root, current)
    crypto.forget_keys()


def _files(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] == ".snapshots" or not path.is_file() or path.is_symlink():
            continue
        if len(relative.parts) == 1 and path.name in SKIPPED:
            continue
        if path.name.endswith((fileio.TEMP_SUFFIX, fileio.STAGED_SUFFIX)):
            continue
        out.append(path)
    return out


def _is_data(path: Path) -> bool:
    """A data file, a backup of one, or one set aside as damaged (`x.json.damaged`)."""
    return path.suffix == ".json" or ".json." in path.name


def _plain_roster(root: Path) -> bool:
    raw = fileio.read_bytes(root / crypto.ROSTER)
    return raw is not None and not crypto.is_sealed(raw)


def _log_digests(engine: Engine, codec: crypto.SealedCodec) -> None:
    """Record the rating files' new bytes in the audit log, so doctor does not take the
    conversion for a replacement."""
    layout = engine.layout
    files = {}
    for shard in layout.shard_names():
        raw = fileio.read_bytes(layout.shard(shard))
        if raw is not None:
            name = layout.shard(shard).relative_to(layout.root).as_posix()
            files[name] = hashlib.sha256(raw).hexdigest()
    txn = secrets.token_hex(8)
    body = {"ratings": [], "files": files, "event": "encrypted"}
    lines = audit.plan_lines(layout.root, txn, body, codec, lambda: None)
    audit.append(layout.root, txn, lines)
