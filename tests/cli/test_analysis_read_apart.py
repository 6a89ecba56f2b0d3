"""`read_apart`: agreement's ratings read in a forked child that hands the tables back.

The tables that come back are compared field by field with those read in this process; a
child's error keeps its message and exit status; a child that dies without its tables is
said in words; and a whole `rating-tui agreement` run as a process (where it forks) prints
and writes what the in-process run does, byte for byte. Forks are counted, never timed.
"""

from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
from array import array
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from rating_tui.analysis.sessiontable import Collected
from rating_tui.cli import Settings, analysis_apart, analysis_read
from rating_tui.cli.analysis_apart import read_apart
from rating_tui.cli.analysis_read import Filters, read_tables
from tests.cli.invoke import run
from tests.cli.test_analysis_cli import builtin, data  # noqa: F401  (fixtures)
from tests.conftest import REPO


def context() -> typer.Context:
    ctx = typer.Context(click.Command("agreement"))
    ctx.obj = Settings()
    return ctx


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> list[int]:
    """The forks made, counted; output captured at the descriptors (which the child
    shares: `capfd`), so that `read_apart` forks."""
    made: list[int] = []
    real = os.fork

    def fork() -> int:
        made.append(1)
        return real()

    monkeypatch.setattr(os, "fork", fork)
    return made


def fields(found: Collected) -> list[Any]:
    """Every field of every table, the buffers as lists."""
    out: list[Any] = [found.ratings, found.unkeyed, found.unknown, sorted(found.tables)]
    for table in found.tables.values():
        out += [table.instrument_id, table.items, table.raters, table.replaced]
        out += [table.dyad_first, list(table.row_session), list(table.row_rater)]
        out += [[list(codes) for codes in table.session_codes]]
        out += [[list(column.data) for column in table.columns]]
        out += [[list(column.levels) for column in table.columns]]
        out += [[list(values) for values in table.values]]
        out += [[table.coded_count(i) for i in range(len(table.items))]]
    return out


def test_tables_read_apart_are_those_read_here(data: Path, forks: list[int]) -> None:  # noqa: F811
    filters = Filters(None, None, None, None, [data])
    here, warnings_here = read_tables(context(), filters, None)
    for table in here.tables.values():
        table.keep_counts_only()  # as the child does before sending
    apart, warnings_apart = read_apart(context(), filters, None)
    assert forks == [1]
    assert here.ratings == 15  # RP and AB in 6 sessions, CD in 3; the draft left out
    assert fields(apart) == fields(here)
    assert warnings_apart == warnings_here


def test_an_error_in_the_child_keeps_its_message_and_status(
    tmp_path: Path, forks: list[int], capfd: pytest.CaptureFixture[str]
) -> None:
    filters = Filters(None, None, None, None, [tmp_path / "missing"])
    with pytest.raises(typer.Exit) as raised:
        read_apart(context(), filters, None)
    assert forks == [1]
    assert raised.value.exit_code == 1
    said = capfd.readouterr().err
    assert said.count("is not a rating-tui data folder") == 1


def test_a_child_that_dies_without_its_tables_is_said(
    data: Path,  # noqa: F811
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    def killed(*_: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would

    monkeypatch.setattr(analysis_read, "read_tables", killed)
    with pytest.raises(typer.Exit) as raised:
        read_apart(context(), Filters(None, None, None, None, [data]), None)
    assert forks == [1]
    assert raised.value.exit_code == 1
    said = capfd.readouterr().err
    assert "reading the ratings stopped: the reading process was ended by signal 9" in said


def test_the_child_reads_with_the_objects_it_was_forked_with_frozen(
    data: Path,  # noqa: F811
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gc.freeze() before the fork: the child's collections then never write into the
    objects it shares with the waiting parent, whose pages stay shared rather than copied
    (at a million ratings, idle, 1.1 MiB less held by the two at once). The parent unfreezes
    its objects once the child is made; the child's count is sent back as a warning."""
    real = analysis_read.read_tables

    def counted(*args: Any) -> Any:
        found, warnings = real(*args)
        return found, [*warnings, f"frozen {gc.get_freeze_count()}"]

    monkeypatch.setattr(analysis_read, "read_tables", counted)
    _, warnings = read_apart(context(), Filters(None, None, None, None, [data]), None)
    assert forks == [1]
    frozen = int(str(warnings[-1]).split()[1])
    assert frozen > 1000 and gc.get_freeze_count() == 0


def test_no_fork_when_output_is_held_in_memory(
    data: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[int] = []
    real = os.fork
    monkeypatch.setattr(os, "fork", lambda: made.append(1) or real())
    code, _, err = run("agreement", "--data", str(data))  # the runner's streams: no files
    assert (code, made) == (0, [])
    assert "read 15 final rating(s)" in err


def test_the_command_run_as_a_process_is_the_command_run_here(
    data: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    here_csv, apart_csv = tmp_path / "here.csv", tmp_path / "apart.csv"
    args = ["agreement", "--data", str(data), "--details", "--bootstrap", "dyad"]
    code, stdout, err = run(*args, "--csv", str(here_csv))
    assert code == 0
    script = "from rating_tui.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", script, *args, "--csv", str(apart_csv)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "80"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == stdout
    assert done.stderr.replace("apart.csv", "here.csv") == err
    assert apart_csv.read_bytes() == here_csv.read_bytes()


def test_large_arrays_go_raw_once_each_and_are_emptied_when_sent() -> None:
    big = array("i", range(40_000))  # 160 KB: sent raw
    small = array("b", [1, 2, 3])  # in the pickle
    value = {"a": big, "b": [big, small], "c": array("d", [0.5]) * 20_000}
    expected = ([*range(40_000)], [1, 2, 3], [0.5] * 20_000)
    stream = io.BytesIO()
    analysis_apart.send(value, stream)
    assert (len(big), len(value["c"]), list(small)) == (0, 0, [1, 2, 3])  # sent: emptied
    stream.seek(0)
    back = analysis_apart.receive(stream)
    assert back["a"] is back["b"][0]  # one array met twice stays one
    assert (back["a"].tolist(), back["b"][1].tolist(), back["c"].tolist()) == expected
    assert back["c"].typecode == "d"
    assert stream.read() == b""  # every byte read, no more


def test_a_stream_cut_short_is_refused() -> None:
    stream = io.BytesIO()
    analysis_apart.send({"a": array("q", range(20_000))}, stream)
    with pytest.raises(EOFError):
        analysis_apart.receive(io.BytesIO(stream.getvalue()[:-8]))
