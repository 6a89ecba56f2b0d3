"""A killed export leaves its temp file (rating data) beside the target; the next write of
that file removes it (issue 10). Temp files of a writer still running are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rating_tui.outputs import atomic_output, atomic_write_bytes


def test_a_temp_file_of_a_killed_export_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from rating_tui.outputs import atomic_output\n"
        "with atomic_output(Path(sys.argv[1])) as handle:\n"
        "    handle.write(b'id,notes\\n1,private\\n')\n"
        "    handle.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(target)], check=False)
    assert killed.returncode < 0
    [left] = tmp_path.glob(".out.csv.*.tmp")
    assert b"private" in left.read_bytes()
    atomic_write_bytes(target, b"id\n")
    assert not left.exists() and target.read_bytes() == b"id\n"
    assert not list(tmp_path.glob("*.tmp"))


def test_a_temp_file_of_a_running_writer_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with atomic_output(target) as handle:
        handle.write(b"partial")
        [mine] = tmp_path.glob(".out.csv.*.tmp")
        assert str(os.getpid()) in mine.name
        atomic_write_bytes(tmp_path / "other.csv", b"x")  # another file: not touched
        atomic_write_bytes(target, b"second")  # this process is alive: its temp stays
        assert mine.exists()
    assert target.read_bytes() == b"partial"
