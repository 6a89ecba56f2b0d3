"""A recorder of the store's file operations and the states a power cut could leave.

Every change the store makes to a data folder goes through the module-level aliases of
`rating_tui.store.fileio` (`_open`, `_write`, `_pwrite`, `_ftruncate`, `_fsync`, `_replace`,
`_exchange`, `_unlink`). `Recorder`
wraps them and logs each operation. `crash_state(n)` then builds what the disk would hold if
power were lost after the first `n` operations, under the pessimistic model SQLite's and
CrashMonkey's tests use: file data not fsynced is lost (the file keeps its last fsynced
content, empty for a new file), and a directory entry change (create, rename, unlink) not
followed by an fsync of that directory is undone. Folders are assumed to exist (the store
creates them once, before the recorded operations). A file written in place (`_pwrite`,
`_ftruncate`: `fileio.write_in_place`) keeps its last fsynced content too, or, in a torn
state (`crash_state(n, torn=True)`), a mix: the first half of its newest bytes over the rest
of its fsynced ones, as a power cut in the middle of the writes' writeback can leave it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rating_tui.store import fileio

Op = tuple[Any, ...]


@dataclass
class _Inode:
    durable: bytes
    volatile: bytes
    overwritten: bool = False
    """Written in place since its last fsync."""

    def after_cut(self, torn: bool) -> bytes:
        if not (torn and self.overwritten):
            return self.durable
        half = len(self.volatile) // 2
        return self.volatile[:half] + self.durable[half:]


@dataclass
class Recorder:
    """Record file operations under `root`, starting from its current (durable) content."""

    root: Path
    log: list[Op] = field(default_factory=list)
    _fds: dict[int, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.initial = {
            p.relative_to(self.root): p.read_bytes()
            for p in self.root.rglob("*")
            if p.is_file() and p.name != ".lock"
        }
        self.folders = [p.relative_to(self.root) for p in self.root.rglob("*") if p.is_dir()]

    def mark(self, label: str) -> None:
        """Log an acknowledgement: the operation `label` has returned to its caller."""
        self.log.append(("ack", label))

    @contextmanager
    def recording(self) -> Iterator[None]:
        real = (fileio._open, fileio._write, fileio._fsync, fileio._replace, fileio._unlink)
        real_pwrite, real_ftruncate = fileio._pwrite, fileio._ftruncate
        real_exchange = fileio._exchange
        assert real_pwrite is not None

        def exchange(source: Any, target: Any) -> None:
            assert real_exchange is not None
            real_exchange(source, target)
            self.log.append(("exchange", self._rel(source), self._rel(target)))

        def pwrite(fd: int, data: Any, offset: int) -> int:
            written = real_pwrite(fd, data, offset)
            self.log.append(("pwrite", self._rel(self._fds[fd]), offset, bytes(data[:written])))
            return written

        def ftruncate(fd: int, size: int) -> None:
            real_ftruncate(fd, size)
            self.log.append(("truncate", self._rel(self._fds[fd]), size))

        def open_(path: Any, flags: int, mode: int = 0o777) -> int:
            fd = real[0](path, flags, mode)
            self._fds[fd] = Path(path)
            if flags & os.O_CREAT:
                self.log.append(("create", self._rel(path)))
            return fd

        def write(fd: int, data: Any) -> int:
            written = real[1](fd, data)
            self.log.append(("write", self._rel(self._fds[fd]), bytes(data[:written])))
            return written

        def fsync(fd: int) -> None:
            real[2](fd)
            self.log.append(("fsync", self._rel(self._fds[fd])))

        def replace(source: Any, target: Any) -> None:
            real[3](source, target)
            self.log.append(("rename", self._rel(source), self._rel(target)))

        def unlink(path: Any) -> None:
            real[4](path)
            self.log.append(("unlink", self._rel(path)))

        fileio._open, fileio._write, fileio._fsync = open_, write, fsync  # type: ignore[assignment]
        fileio._replace, fileio._unlink = replace, unlink  # type: ignore[assignment]
        fileio._pwrite, fileio._ftruncate = pwrite, ftruncate
        if real_exchange is not None:
            fileio._exchange = exchange
        try:
            yield
        finally:
            fileio._open, fileio._write, fileio._fsync, fileio._replace, fileio._unlink = real
            fileio._pwrite, fileio._ftruncate = real_pwrite, real_ftruncate
            fileio._exchange = real_exchange

    def _rel(self, path: Any) -> Path:
        return Path(path).resolve().relative_to(self.root.resolve())

    def crash_state(self, n: int, torn: bool = False) -> tuple[dict[Path, bytes], list[str]]:
        """(relative path -> bytes) a power cut after `n` operations leaves, and the labels
        acknowledged before it; `torn`: files written in place since their last fsync hold
        a mix of their bytes (see the module docstring)."""
        ids = itertools.count()
        inodes: dict[int, _Inode] = {}
        durable: dict[Path, dict[str, int]] = {}
        volatile: dict[Path, dict[str, int]] = {}
        for folder in [Path(), *self.folders]:
            durable[folder], volatile[folder] = {}, {}
        for rel, data in self.initial.items():
            inode = next(ids)
            inodes[inode] = _Inode(data, data)
            durable[rel.parent][rel.name] = volatile[rel.parent][rel.name] = inode
        acked: list[str] = []
        for op in self.log[:n]:
            kind = op[0]
            if kind == "ack":
                acked.append(op[1])
            elif kind == "create":
                rel = op[1]
                if rel in volatile:  # a folder opened to be fsynced
                    continue
                inode = next(ids)
                inodes[inode] = _Inode(b"", b"")
                volatile.setdefault(rel.parent, {})[rel.name] = inode
                durable.setdefault(rel.parent, {})
            elif kind == "write":
                rel = op[1]
                inodes[volatile[rel.parent][rel.name]].volatile += op[2]
            elif kind == "pwrite":
                rel, offset, data = op[1], op[2], op[3]
                inode = inodes[volatile[rel.parent][rel.name]]
                old = inode.volatile.ljust(offset, b"\0")
                inode.volatile = old[:offset] + data + old[offset + len(data) :]
                inode.overwritten = True
            elif kind == "truncate":
                rel, size = op[1], op[2]
                inode = inodes[volatile[rel.parent][rel.name]]
                inode.volatile = inode.volatile[:size].ljust(size, b"\0")
                inode.overwritten = True
            elif kind == "fsync":
                rel = op[1]
                if rel in volatile:  # a folder: its entries become durable
                    durable[rel] = dict(volatile[rel])
                else:
                    inode = inodes[volatile[rel.parent][rel.name]]
                    inode.durable = inode.volatile
                    inode.overwritten = False
            elif kind == "rename":
                source, target = op[1], op[2]
                inode = volatile[source.parent].pop(source.name)
                volatile.setdefault(target.parent, {})[target.name] = inode
                durable.setdefault(target.parent, {})
            elif kind == "exchange":  # (two names of one folder swap their files)
                source, target = op[1], op[2]
                entries = volatile[target.parent]
                entries[source.name], entries[target.name] = (
                    entries[target.name],
                    entries[source.name],
                )
            elif kind == "unlink":
                volatile[op[1].parent].pop(op[1].name)
        files = {
            folder / name: inodes[inode].after_cut(torn)
            for folder, entries in durable.items()
            for name, inode in entries.items()
        }
        return files, acked


def materialise(files: dict[Path, bytes], folders: list[Path], target: Path) -> Path:
    """Write a crash state into the empty folder `target`, private as the store makes it."""
    target.mkdir(mode=0o700)
    for folder in sorted(folders):
        (target / folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    for rel, data in files.items():
        path = target / rel
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, data)
        os.close(fd)
    return target


Check = Callable[[Path, list[str]], None]
