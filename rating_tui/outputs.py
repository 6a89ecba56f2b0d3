"""Writing the files rating-tui writes beside the store (starter files, schemas, exports,
preferences) where the user points, and only there.

A regular file (or a new one) is written atomically: a temp file beside it, fsynced and renamed
over it, so a reader sees the old file or the new one, never half of one. A FIFO, a character
device or a terminal (`/dev/stdout`, `/dev/null`, a pipe a reader waits on) is written to
directly: renaming a temp file over it would replace the device itself with a regular file
(run as root, `export -o /dev/null` used to replace /dev/null). A folder, a socket or a block
device is refused in words. Nothing is ever renamed over anything but a regular file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Literal


class OutputRefused(OSError):
    """The output path names something we must not write to (a folder, a socket...)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.filename = str(path)
        self.message = message

    def __str__(self) -> str:
        return self.message


OutputKind = Literal["file", "stream"]


def output_kind(path: Path) -> OutputKind:
    """ "file" for a regular file or a new name (written atomically), "stream" for a FIFO or
    character device (written directly); `OutputRefused` for anything else.

    Symlinks are followed: a link to /dev/null is a character device, a link to a file a file.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        _refuse_inside_data(path)
        return "file"
    except NotADirectoryError:
        raise OutputRefused(path, f"{path}: a part of the path is not a folder") from None
    if stat.S_ISREG(mode):
        _refuse_inside_data(path)
        return "file"
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return "stream"
    if stat.S_ISDIR(mode):
        raise OutputRefused(path, f"{path} is a folder; give a file name to write to")
    raise OutputRefused(
        path, f"{path} is {_kind_name(mode)}, not a file; give a regular file, a pipe or a device"
    )


def _refuse_inside_data(path: Path) -> None:
    """A file inside a ratings data folder (one holding store.json and ratings/) is the
    store's: `export -o DATA/ratings/2025-03.json` replaced a month of ratings, `--errors
    DATA/audit.jsonl` emptied the audit log. Refused before anything is written."""
    for folder in path.absolute().resolve().parents:
        if (folder / "store.json").is_file() and (folder / "ratings").is_dir():
            raise OutputRefused(
                path,
                f"{path} is inside the ratings data folder {folder}: a file written there could "
                "replace or mix with its stored ratings; choose a file outside it",
            )


def _kind_name(mode: int) -> str:
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


@contextmanager
def atomic_output(path: Path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary file to write at `path`.

    For a regular or new file: streamed into a temp file beside `path`, fsynced and renamed
    over it (with `mode`) on success; on any error the temp file vanishes and `path` is as it
    was. For a FIFO or character device: opened and written directly (no temp, no rename, mode
    left alone). Anything else raises `OutputRefused` before anything is written.
    """
    if output_kind(path) == "stream":
        with path.open("wb") as direct:
            yield direct
            direct.flush()
        return
    folder = path.parent if str(path.parent) else Path()
    remove_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=folder)
    except OSError as exc:  # named by the temp file, which the user never gave
        raise OutputRefused(path, _folder_problem(folder, exc)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(mode)
        if output_kind(path) != "file":  # replaced by a device or FIFO while we wrote
            raise OutputRefused(path, f"{path} stopped being a regular file while written")
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # not every platform can fsync a folder
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _folder_problem(folder: Path, exc: OSError) -> str:
    """Why no file can be made in `folder` (said after "cannot write PATH: ")."""
    if isinstance(exc, FileNotFoundError):
        return f"the folder {folder} does not exist; create it first, or choose another"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is not a folder"
    if isinstance(exc, PermissionError):
        return f"the folder {folder} is not writable by you; choose another folder"
    return f"cannot make a file in {folder}: {exc.strerror or exc}"


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temp files of `path` left by writers that were killed (an export killed half
    way leaves rating data in one): their names carry the writer's process id, so a temp
    file of a process that no longer runs is stale. Returns what was removed."""
    folder = path.parent if str(path.parent) else Path()
    removed = []
    try:
        candidates = list(folder.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return []
    for temp in candidates:
        pid = temp.name[len(path.name) + 2 :].partition("-")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                temp.unlink()
                removed.append(temp)
    return removed


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def pid_alive(pid: int) -> bool:
    """Whether process `pid` still runs (True when that cannot be told cheaply): leftovers of
    a live writer are never removed."""
    if os.name == "nt":
        return True  # no cheap check there: keep what it left
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` atomically (or directly to a FIFO or device)."""
    with atomic_output(path, mode) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str, mode: int = 0o644) -> None:
    """`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)
