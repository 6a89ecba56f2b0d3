"""One reading discipline for files we did not write: anything but a regular file is refused
by its `stat` type (links followed) before it is opened, at most the limit plus one byte is
read, and the refusal names the file. Links point at the real /dev/zero and /dev/urandom:
they are only looked at, never read."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rating_tui import inputs
from rating_tui.cli import app
from rating_tui.inputs import InputRefused, bounded_lines, read_bounded
from rating_tui.instruments.loader import load_instrument
from rating_tui.instruments.problems import InstrumentError
from rating_tui.paths import user_instruments_dir
from rating_tui.ratings import STATUSES
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.conftest import BUILTIN_ID, REPO

BUILTIN_FILE = REPO / "instruments" / f"{BUILTIN_ID}.toml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), f"raised {result.exception!r}"
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def finishes(action: Callable[[], object]) -> list[object]:
    """Run `action` in a thread; what it returned or raised (a hang shows as an empty list
    after a minute, instead of stopping the suite)."""
    out: list[object] = []

    def go() -> None:
        try:
            out.append(action())
        except BaseException as exc:  # noqa: BLE001 - handed to the test to look at
            out.append(exc)

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(60)
    return out


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_instrument_linked_to_a_device_is_refused_before_reading(
    tmp_path: Path, device: str
) -> None:
    link = tmp_path / "x.toml"
    link.symlink_to(device)
    code, out = run("instruments", "validate", str(link))
    assert code == 1
    assert f"{link}: is a character device, not a regular file" in out


def test_an_instrument_fifo_is_refused_without_hanging(fifo: Path) -> None:
    [outcome] = finishes(lambda: load_instrument(fifo))
    assert isinstance(outcome, InstrumentError)
    assert "is a named pipe (FIFO), not a regular file" in str(outcome)


def test_a_device_link_in_the_user_folder_does_not_stop_export_or_import(tmp_path: Path) -> None:
    user = user_instruments_dir()
    user.mkdir(parents=True)
    (user / "zero.toml").symlink_to("/dev/zero")
    data = tmp_path / "data"
    fill_demo_data(Store.open(data), builtin_instrument(), 2, seed=3)
    code, out = run("export", "--data", str(data), "-o", str(tmp_path / "out.csv"))
    assert code == 0, out
    ratings = tmp_path / "r.jsonl"
    stored = Store.open(data).iter_all(statuses=STATUSES)
    ratings.write_text("".join(r.model_dump_json() + "\n" for r in stored))
    code, out = run("ratings", "import", str(ratings), "--data", str(tmp_path / "other"))
    assert code == 0 and "2 added" in out, out
    code, out = run("instruments", "validate")
    assert code == 1 and "zero.toml: is a character device, not a regular file" in out


def test_a_ratings_import_from_a_device_or_fifo_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "r.jsonl"
    link.symlink_to("/dev/zero")
    code, out = run("ratings", "import", str(link), "--data", str(tmp_path / "data"))
    assert code == 1 and f"{link}: is a character device" in out
    pipe = tmp_path / "p.jsonl"
    os.mkfifo(pipe)
    [outcome] = finishes(lambda: run("ratings", "import", str(pipe), "--data", str(tmp_path)))
    assert outcome == (1, f"error: {pipe}: is a named pipe (FIFO), not a regular file; expected "
                       "a JSON Lines file (one rating per line)\n")  # fmt: skip
    assert not (tmp_path / "data").exists()


def test_a_redcap_dictionary_linked_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "dict.csv"
    link.symlink_to("/dev/urandom")
    code, out = run("instruments", "import-redcap", str(link), "-o", str(tmp_path / "x.toml"))
    assert code == 1 and "is a character device, not a regular file" in out
    assert not (tmp_path / "x.toml").exists()


def test_read_bounded_reads_at_most_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 101)
    with pytest.raises(InputRefused, match="is 101 bytes; a test file is at most 100 bytes"):
        read_bounded(path, 100, what="a test file", expected="a test file")
    assert read_bounded(path, 101, what="a test file", expected="a test file") == b"x" * 101
    with pytest.raises(InputRefused, match="is a folder; expected a test file"):
        read_bounded(tmp_path, 100, what="a test file", expected="a test file")
    with pytest.raises(InputRefused, match="no such file"):
        read_bounded(tmp_path / "absent", 100, what="a test file", expected="a test file")


class CountingReader:
    """A binary stream that counts the bytes handed out."""

    def __init__(self, data: bytes) -> None:
        import io

        self._inner = io.BytesIO(data)
        self.given = 0
        self.largest = 0

    def readline(self, size: int = -1) -> bytes:
        line = self._inner.readline(size)
        self.given += len(line)
        self.largest = max(self.largest, len(line))
        return line


def test_bounded_lines_never_holds_more_than_the_limit_plus_one() -> None:
    reader = CountingReader(b"short\n" + b"y" * 1_000_000 + b"\nlast\n" + b"exact\n")
    lines = list(bounded_lines(reader, 100))  # type: ignore[arg-type]
    assert lines == [(1, b"short\n"), (2, None), (3, b"last\n"), (4, b"exact\n")]
    assert reader.largest <= 1 << 16  # the long line was skipped in pieces, never held whole
    assert inputs.bounded_lines is bounded_lines


def test_an_import_line_over_the_limit_is_named_and_the_rest_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rating_tui.ratings import limits

    monkeypatch.setattr(limits, "MAX_LINE_BYTES", 2_000_000)
    path = tmp_path / "r.jsonl"
    path.write_text('{"notes": "' + "x" * 2_100_000 + '"}\nnot json\n')
    code, out = run("ratings", "import", str(path), "--data", str(tmp_path / "data"))
    assert code == 1
    assert f"{path}:1: line is over 2 MB" in out and f"{path}:2: not valid JSON" in out


def test_a_5000_digit_integer_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("\n" + json.dumps({"rater": "x"})[:-1] + ', "n": ' + "7" * 5000 + "}\n")
    code, out = run("ratings", "import", str(path), "--data", str(tmp_path / "data"))
    assert code == 1
    assert f"{path}:2: not a rating: a whole number has 5,000 digits" in out
