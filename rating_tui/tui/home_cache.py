"""Home's preview: the lines Home listed last time, shown at start while pydantic, the
instruments and the data folder are still loading, when nothing they were made from changed.

Filling Home for real costs a fixed ~200 ms of CPU after the first frame (importing pydantic
and the store, building the instrument models, reading the instruments), whatever the size of
the data. What Home lists, though, depends only on: the files of the data folder, the
instrument files, today's date (the drafts window) and this version of the app. So once Home
has been filled, its lines are kept with a key over all of these, and the next start shows
them as soon as the key matches again, before any of that is loaded. The real lists replace
them a moment later (the same lines, unless something changed in between); keys pressed
meanwhile wait for that, as they do without a preview.

The key is never trusted loosely:
- every file of the data folder counts by name, type, size, inode and modification time in
  nanoseconds (as Python's own `.pyc` files are checked by size and time), so a save, an
  import, a merge, a restore or a file edited by hand all change it: the store replaces a file
  to change it, which gives it a new inode. Not the change time: the hard links that a long
  read makes of the month files (`store/snapshots.py`, Home's alerts) change it without
  changing a byte. A folder counts by its name and its entries;
- an entry changed in the last `FINE_RACY_SECONDS` (`RACY_SECONDS` where the file system
  keeps coarse times) makes the key unknown (no preview, nothing kept; Home tries again a
  moment later): a second change within the file system's clock tick could otherwise look
  the same;
- instrument files count by their name and content (SHA-256 of their bytes), not their dates
  or the folder they sit in;
- a folder that is encrypted or cannot be opened keeps no preview (and loses one it had), so
  no rating data is ever written outside an encrypted folder.

A preview file that is missing, damaged or stale is simply not used: nothing is lost, Home
fills as it would without it. The file sits in the data folder itself (`.home-preview.json`,
0600), so the lines never leave the folder they were read from (a folder kept on a protected
volume keeps its preview there too); it is never made for a folder that does not exist yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rating_tui import __version__
from rating_tui.instruments.sources import Source, toml_files

if TYPE_CHECKING:
    from rich.text import Text

FORMAT = 1
"""Bumped when the preview file's layout or Home's lines change shape."""
RACY_SECONDS = 2.0
"""An entry changed this recently makes the key unknown (see the module's docstring), on a
file system whose times are whole milliseconds or coarser (FAT keeps 2 s)."""
FINE_RACY_SECONDS = 0.1
"""The same for an entry whose time has sub-millisecond digits: its file system keeps fine
times, ticking every 1-10 ms (the kernel's coarse clock)."""
FILE_NAME = ".home-preview.json"
"""The preview's file, in the data folder."""
SKIPPED = frozenset({".lock", ".snapshots", FILE_NAME, FILE_NAME + ".tmp"})
"""The folder's lock file (taken by every process, its content means nothing), the
transient hard-linked shard sets that long reads stream from (`store/snapshots.py`) and the
preview itself."""
CODE = ("format.py", "screens/home.py", "home_cache.py", "home_glance.py")
"""The app's own files that shape Home's lines: a new version of them is a new key."""


@dataclass(frozen=True)
class Line:
    """One line of a Home list: the rating's id and the text shown, with its styles."""

    id: str
    plain: str
    spans: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class Preview:
    """Home's two lists as last shown, and what they leave out."""

    drafts: tuple[Line, ...]
    recent: tuple[Line, ...]
    more_drafts: bool = False
    """More drafts of the last six months than Home lists (`home.DRAFTS_LISTED`)."""
    held: int | None = None
    """Ratings of any status the folder holds (None: not known), so that Home says "No
    ratings yet" only of a folder that holds none."""


def line_of(rating_id: str, text: Text) -> Line:
    """A list line as the preview keeps it (the text's own style as a span over all of it)."""
    spans = [(0, len(text.plain), str(text.style))] if text.style else []
    spans += [(s.start, s.end, str(s.style)) for s in text.spans]
    return Line(rating_id, text.plain, tuple(spans))


@dataclass(frozen=True)
class HomeCache:
    """Where one data folder's preview is kept, and what its key is made of."""

    file: Path
    data_dir: Path
    sources: tuple[Source, ...]

    @classmethod
    def inside(cls, data_dir: Path, sources: list[Source]) -> HomeCache:
        """The preview of `data_dir`, kept in it."""
        return cls(data_dir / FILE_NAME, data_dir, tuple(sources))

    def key(self, today: date) -> str | None:
        """A hash of everything Home's lines come from; None when it cannot be known for
        sure (a file changed a moment ago, or something cannot be read)."""
        digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{today.isoformat()}\0".encode())
        try:
            digest.update(str(self.data_dir.resolve()).encode("utf-8", "surrogateescape"))
            here = Path(__file__).parent
            for name in CODE:
                _add_stat(digest, name, (here / name).stat())
            if not _add_folder(digest, self.data_dir, time.time_ns()):
                return None
            for source in self.sources:
                _add_source(digest, source)
        except (OSError, ValueError):
            return None
        return digest.hexdigest()

    def read(self, today: date) -> Preview | None:
        """The kept preview when its key is today's key; None otherwise (or when damaged)."""
        if not self.file.exists():
            return None  # (a cold start: the key, a walk over every file, is not needed)
        key = self.key(today)
        if key is None:
            return None
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("key") != key:
                return None
            held = data.get("held")
            return Preview(
                _lines(data["drafts"]),
                _lines(data["recent"]),
                data.get("more_drafts") is True,
                held if type(held) is int and held >= 0 else None,
            )
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None

    def write(self, key: str, preview: Preview) -> bool:
        """Keep `preview` under `key` (atomically, private); False when it could not be."""
        data = {
            "key": key,
            "drafts": [_line_data(line) for line in preview.drafts],
            "recent": [_line_data(line) for line in preview.recent],
            "more_drafts": preview.more_drafts,
            "held": preview.held,
        }
        temp = self.file.with_name(self.file.name + ".tmp")
        try:  # no folder yet (the store makes it on the first save): nothing kept
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            temp.replace(self.file)
        except OSError:
            with contextlib.suppress(OSError):  # a read-only folder refuses the unlink too
                temp.unlink(missing_ok=True)
            return False
        return True

    def forget(self) -> None:
        """Remove the kept preview (a folder that is encrypted or cannot be opened)."""
        with contextlib.suppress(OSError):  # stale anyway: its key cannot match any more
            self.file.unlink(missing_ok=True)


def _add_stat(digest: hashlib._Hash, name: str, st: os.stat_result) -> None:
    kind = stat.S_IFMT(st.st_mode)
    fields = (name, kind, st.st_size, st.st_ino, st.st_mtime_ns)
    digest.update(repr(fields).encode("utf-8", "surrogateescape"))


def _add_folder(digest: hashlib._Hash, root: Path, now_ns: int) -> bool:
    """Every entry under `root`, in a fixed order; False when one changed too recently."""
    fine_ns = now_ns - int(FINE_RACY_SECONDS * 1e9)
    coarse_ns = now_ns - int(RACY_SECONDS * 1e9)
    pending = [root]
    prefix = len(str(root).rstrip(os.sep) + os.sep)  # an entry's name below root, no relpath
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            found = sorted(entries, key=lambda e: e.name)
        for entry in found:
            if folder == root and entry.name in SKIPPED:
                continue
            st = entry.stat()  # following a link: what the store would read
            name = entry.path[prefix:]
            if stat.S_ISDIR(st.st_mode):  # by its entries (its own time: one was added)
                digest.update(f"folder {name}\0".encode("utf-8", "surrogateescape"))
                pending.append(Path(entry.path))
                continue
            fine = st.st_mtime_ns % 1_000_000 != 0
            if st.st_mtime_ns > (fine_ns if fine else coarse_ns):
                return False
            _add_stat(digest, name, st)
    return True


def _add_source(digest: hashlib._Hash, source: Source) -> None:
    """A source's *.toml files (or its one file) by name and content, a missing one as such:
    what Home's lines depend on is which instruments there are, not where the folder is."""
    path = source.path
    try:
        st = path.stat()
    except FileNotFoundError:
        digest.update(f"missing {source.kind}\0".encode())
        return
    # Study.TOML too: the catalogue names it among the problems
    files = toml_files(path) if stat.S_ISDIR(st.st_mode) else [path]
    for file in files:
        digest.update(f"{source.kind}\0{file.name}\0".encode("utf-8", "surrogateescape"))
        st = file.stat()
        if stat.S_ISREG(st.st_mode):  # never open a FIFO or a device: the loader refuses them
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        else:
            _add_stat(digest, file.name, st)


def _line_data(line: Line) -> list[object]:
    return [line.id, line.plain, [list(span) for span in line.spans]]


def _lines(raw: object) -> tuple[Line, ...]:
    """Lines from the file, refusing (ValueError) anything not shaped as written."""
    if not isinstance(raw, list):
        raise ValueError("not a list")
    out = []
    for item in raw:
        id_, plain, spans = item
        if not isinstance(id_, str) or not isinstance(plain, str) or not isinstance(spans, list):
            raise ValueError("not a line")
        checked = []
        for start, end, style in spans:
            if not (isinstance(start, int) and isinstance(end, int) and isinstance(style, str)):
                raise ValueError("not a span")
            checked.append((start, end, style))
        out.append(Line(id_, plain, tuple(checked)))
    return tuple(out)
