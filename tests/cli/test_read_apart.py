"""One data folder read in a child process (`cli.analysis_apart`): what comes back is what
was read, and whatever goes wrong in the child, the parent reads itself."""

from __future__ import annotations

import os
import sys
from array import array
from pathlib import Path
from typing import Any

import pytest
import typer

from rating_tui.cli import analysis_apart, analysis_read
from rating_tui.cli.analysis_apart import read_apart
from tests.cli.invoke import run
from tests.cli.test_analysis_cli import builtin, data  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="read apart only on Linux"
)


def test_arrays_and_objects_come_back_as_sent() -> None:
    shared = array("i", [3, -1, 2**31 - 1])
    sent = {
        "a": shared,
        "b": [shared, array("b", b"\xff\xfe\x01"), array("H"), array("d", [0.5, -0.0])],
        "texts": ["EC0417", "2026-03-01"],
        "n": 7,
    }
    calls: list[int] = []

    def read() -> dict[str, Any]:
        calls.append(1)  # in the child: never seen here
        return sent

    got = read_apart(read)
    assert calls == []
    assert got is not None and got is not sent
    assert got == sent
    assert [a.typecode for a in got["b"]] == ["i", "b", "H", "d"]
    assert got["a"] is got["b"][0]  # one array sent once, shared as it was
    assert repr(got["b"][3][1]) == "-0.0"


def test_meanwhile_runs_here_while_the_child_reads() -> None:
    here: list[int] = []
    got = read_apart(lambda: array("q", range(200_000)), lambda: here.append(os.getpid()))
    assert here == [os.getpid()]
    assert got == array("q", range(200_000))


def test_a_failing_meanwhile_loses_nothing() -> None:
    """What `meanwhile` could not do, the caller does again after the read (and fails there
    in words); the child's 1.6 MB still come back whole."""

    def fails() -> None:
        raise OSError("no numpy")

    assert read_apart(lambda: array("q", range(200_000)), fails) == array("q", range(200_000))


def _raises() -> None:
    raise ValueError("damaged")


def _prints() -> int:
    print("a note")
    return 1


def _echoes_to_stderr() -> int:
    typer.echo("a warning", err=True)
    return 1


def _writes_to_the_descriptor() -> int:
    os.write(2, b"from C\n")
    return 1


def _exits() -> int:
    os._exit(3)


@pytest.mark.parametrize(
    "read", [_raises, _prints, _echoes_to_stderr, _writes_to_the_descriptor, _exits]
)
def test_a_child_that_fails_or_says_anything_hands_the_read_back(
    read: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    assert read_apart(read) is None
    assert capfd.readouterr() == ("", "")  # said once, by the parent's own read


def test_switched_off_it_does_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(analysis_apart.ENV, "0")
    forks: list[int] = []
    monkeypatch.setattr(analysis_apart.os, "fork", lambda: forks.append(1) or 0)
    assert read_apart(lambda: 1) is None
    assert forks == []


def test_agreement_and_calibrate_read_apart_with_the_same_output(
    data: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same stdout, stderr and CSV whether the folder is read in a child or here; read
    apart, this process never reads the folder itself."""
    monkeypatch.setenv("COLUMNS", "100")
    here: list[int] = []
    one_folder = analysis_read._one_folder

    def counted(*args: Any) -> Any:
        here.append(1)
        return one_folder(*args)

    monkeypatch.setattr(analysis_read, "_one_folder", counted)
    outputs = []
    for mode in ("1", "0"):
        monkeypatch.setenv(analysis_apart.ENV, mode)
        found = []
        for n, args in enumerate(
            (
                ["agreement", "--details", "--from", "2026-03-02"],
                ["calibrate", "--gold", "RP"],
                ["agreement", "--rater", "RP", "--rater", "NOBODY"],  # refused after reading
            )
        ):
            out = tmp_path / f"{mode}-{n}.csv"
            csv = ["--csv", str(out)] if n < 2 else []
            code, stdout, err = run(*args, "--data", str(data), *csv)
            found.append(
                (code, stdout, err.replace(str(out), "X"), out.exists() and out.read_bytes())
            )
        outputs.append(found)
        assert len(here) == (0 if mode == "1" else 3)
    assert outputs[0] == outputs[1]
    assert [f[0] for f in outputs[0]] == [0, 0, 1]


def test_an_encrypted_folder_is_read_in_the_parent(
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child never asks for a passphrase: it hands an encrypted folder back, and the
    parent reads it (asking once), with the same output as with reading apart switched off."""
    from rating_tui import passphrase
    from rating_tui.store import crypto
    from tests.cli.demo_folders import copy_of, demo_folder

    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    folder = copy_of(demo_folder(tmp_path_factory, 60, seed=4), tmp_path)
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", "correct horse")
    assert run("encrypt", "--data", str(folder))[0] == 0
    monkeypatch.setenv(passphrase.ENV, "correct horse")
    here: list[int] = []
    one_folder = analysis_read._one_folder

    def counted(*args: Any) -> Any:
        here.append(1)
        return one_folder(*args)

    monkeypatch.setattr(analysis_read, "_one_folder", counted)
    outputs = []
    try:
        for mode in ("1", "0"):
            monkeypatch.setenv(analysis_apart.ENV, mode)
            crypto.forget_keys()
            outputs.append(run("agreement", "--data", str(folder)))
    finally:
        crypto.forget_keys()
    assert outputs[0] == outputs[1] and outputs[0][0] == 0
    assert here == [1, 1]  # read here both times
