"""Outputs go where the user points, and only there: a FIFO or device is written to directly
and stays what it was; a folder or socket is refused in words; a regular file is replaced
atomically as before. A FIFO in a temp folder stands in for /dev/null (no root needed)."""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rating_tui.cli import app
from rating_tui.outputs import OutputRefused, atomic_output, atomic_write_text, output_kind
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store


def drain(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    """A reader on `fifo` in a thread (a FIFO's writer blocks until one opens it)."""
    got: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as handle:
            got.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


def test_a_fifo_is_written_directly_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    thread, got = drain(fifo)
    atomic_write_text(fifo, "hello\n")
    thread.join(10)
    assert got == [b"hello\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temp file left beside


def test_a_symlink_to_a_fifo_is_followed_and_neither_is_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "null"
    link.symlink_to(fifo)
    thread, got = drain(fifo)
    with atomic_output(link) as sink:
        sink.write(b"x")
    thread.join(10)
    assert got == [b"x"] and link.is_symlink() and stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_folder_and_a_socket_are_refused_in_words(tmp_path: Path) -> None:
    with pytest.raises(OutputRefused, match="is a folder"):
        atomic_write_text(tmp_path, "x")
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(OutputRefused, match="is a socket"):
            atomic_write_text(path, "x")
    finally:
        server.close()
    assert stat.S_ISSOCK(path.stat().st_mode)


def test_a_regular_file_is_still_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(path) as sink:
        sink.write(b"half")
        raise RuntimeError("stop")
    assert path.read_text() == "old"
    atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert output_kind(tmp_path / "new.csv") == "file"
    assert output_kind(Path(os.devnull)) == "stream"  # only looked at, never written


def test_export_to_a_fifo_delivers_the_rows_and_keeps_the_fifo(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill_demo_data(Store.open(data), builtin_instrument(), 3, seed=1)
    fifo = tmp_path / "null"
    os.mkfifo(fifo)
    thread, got = drain(fifo)
    result = CliRunner().invoke(app, ["export", "--data", str(data), "-o", str(fifo)])
    thread.join(10)
    assert result.exit_code == 0, result.output
    assert got and got[0].count(b"\n") >= 2  # the header and the ratings reached the reader
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_export_to_a_folder_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill_demo_data(Store.open(data), builtin_instrument(), 2, seed=1)
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(app, ["export", "--data", str(data), "-o", str(out)])
    assert result.exit_code == 1
    assert "is a folder" in result.output and "Traceback" not in result.output
    assert list(out.iterdir()) == []
