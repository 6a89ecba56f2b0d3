"""An export that matches nothing is refused in every format, naming the filter and what
exists; what the statuses left out is counted over what the other filters asked for.

Before: `--instrument ID --dyad ZZ9` (a known instrument) wrote an empty table and exited 0,
JSON Lines exited 0 with an empty file whatever matched nothing, while `--dyad ZZ9` alone
exited 1 saying only "no ratings match"; and "not exported: N draft(s)" counted the whole
folder, whatever --dyad or --rater asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from rating_tui.services.demo import builtin_instrument
from rating_tui.store import Store
from tests.cli.demo_folders import demo_folder
from tests.cli.test_ratings_cli import run

FORMATS = ["csv", "jsonl", "redcap", "sav"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read only: no test here changes it."""
    return demo_folder(tmp_path_factory, 400, seed=5)


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 120, seed=6)


def _export(demo: Path, out: Path, *args: str) -> tuple[int, str]:
    code, _, err = run("export", "--data", str(demo), "-o", str(out), *args)
    return code, err


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_dyad_that_matches_nothing_is_refused_in_every_format_and_no_file_replaced(
    demo: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"x.{fmt}"
    out.write_text("the previous export\n")
    instrument = builtin_instrument().id
    code, err = _export(demo, out, "-f", fmt, "--instrument", instrument, "--dyad", "ZZ9")
    assert code == 1, err
    assert f"no ratings match --instrument {instrument} --dyad ZZ9 (status: final)" in err
    assert "--dyad ZZ9: no rating has this dyad; the dyads are " in err and " more" in err
    assert out.read_text() == "the previous export\n"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_each_filter_that_matches_nothing_is_named_with_what_exists(
    demo: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "x"
    store = Store.open(demo)
    raters = sorted({r.rater for r in store.list(limit=None)})
    code, err = _export(demo, out, "-f", fmt, "--rater", "nobody")
    assert code == 1 and f"the raters are {', '.join(raters)}" in err, err
    code, err = _export(demo, out, "-f", fmt, "--instrument", "nope")
    assert code == 1 and "--instrument nope: no ratings and no instrument file match" in err
    assert f"the ratings were made with {builtin_instrument().ref}" in err
    dyad = str(Store.open(demo).list(limit=1)[0].session["dyad"])
    code, err = _export(demo, out, "-f", fmt, "--dyad", dyad[:-1] + "x")  # a typo
    assert code == 1 and "dyad(s) have ratings, the nearest: " in err and dyad in err, err
    code, err = _export(demo, out, "-f", fmt, "--instrument", f" {builtin_instrument().id}")
    assert code == 1 and f"did you mean --instrument {builtin_instrument().id}?" in err
    code, err = _export(demo, out, "-f", fmt, "--from", "2099-01-01")
    assert code == 1 and "--from 2099-01-01: no session in that range; the sessions run" in err
    assert not out.exists()


def test_filters_that_each_match_but_not_together_say_so(demo: Path, tmp_path: Path) -> None:
    ratings = Store.open(demo).list(limit=None)
    first = min(str(r.session["session_date"]) for r in ratings)
    dyad = next(
        str(r.session["dyad"])
        for r in ratings
        if all(str(o.session["session_date"]) > first for o in ratings
               if o.session["dyad"] == r.session["dyad"])
    )  # fmt: skip
    code, err = _export(demo, tmp_path / "x.csv", "--dyad", dyad, "--to", first)
    assert code == 1 and "each filter matches ratings on its own" in err, err
    assert "but no rating matches all" in err


def test_a_filter_whose_ratings_have_another_status_says_which(demo: Path, tmp_path: Path) -> None:
    store = Store.open(demo)
    voided = store.list(statuses=("voided",), limit=1)[0]
    rater = voided.rater
    finals = len(store.list(rater=rater, limit=None))
    drafts = len(store.list(rater=rater, statuses=("draft",), limit=None))
    assert finals
    code, err = _export(demo, tmp_path / "x.csv", "--rater", rater, "--status", "voided")
    assert code == 0, err
    held = f"{drafts} draft(s) and {finals} final rating(s)" if drafts else f"{finals} final"
    assert f"not exported: {held}" in err and f"that match --rater {rater} but not" in err


def test_left_out_counts_only_what_the_other_filters_keep(demo: Path, tmp_path: Path) -> None:
    """`--dyad D --status draft` said "not exported: <every final rating of the folder>"."""
    store = Store.open(demo)
    draft = store.list(statuses=("draft",), limit=1)[0]
    dyad = str(draft.session["dyad"])
    finals = len(store.list(dyad=dyad, limit=None))
    voided = len(store.list(dyad=dyad, statuses=("voided",), limit=None))
    whole = len(store.list(limit=None))
    assert finals < whole
    for fmt in ["csv", "jsonl", "redcap", "sav"]:
        code, err = _export(demo, tmp_path / f"x.{fmt}", "-f", fmt, "--dyad", dyad,
                            "--status", "draft")  # fmt: skip
        assert code == 0, err
        also = f" and {voided} voided rating(s)" if voided else ""
        assert f"not exported: {finals} final rating(s){also} that match --dyad {dyad}" in err


def test_several_folders_and_stats_files_say_what_the_statuses_left_out(
    demo: Path, other: Path, tmp_path: Path
) -> None:
    """An export of several folders, and a .sav or .dta of one, said nothing of the drafts
    and voided ratings they left out."""
    left = {
        s: sum(len(Store.open(f).list(statuses=(s,), limit=None)) for f in (demo, other))
        for s in ("draft", "voided")
    }
    assert all(left.values())
    out = tmp_path / "x.csv"
    code, _, err = run("export", "--data", str(demo), "--data", str(other), "-o", str(out))
    assert code == 0, err
    assert f"not exported: {left['draft']} draft(s) and {left['voided']} voided" in err
    code, err = _export(demo, tmp_path / "x.sav", "-f", "sav")
    drafts = len(Store.open(demo).list(statuses=("draft",), limit=None))
    assert code == 0 and f"not exported: {drafts} draft(s)" in err, err


def test_two_tables_to_standard_output_are_refused_and_a_codebook_to_it_is_written_there(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o - --moments -` mixed both tables on stdout; `--codebook -` made a file named "-"."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run("export", "--data", str(demo), "--moments", "-")
    assert code == 1 and out == ""
    assert "-o - and --moments - both write to standard output" in err
    code, out, err = run("export", "--data", str(demo), "-o", "x.csv", "--codebook", "-")
    assert code == 0, err
    assert out.startswith("table,column,label") and "wrote the codebook to stdout" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_a_status_given_twice_is_said_once(demo: Path, tmp_path: Path) -> None:
    """`--status final --status final` said "(status: final, final)"."""
    code, err = _export(demo, tmp_path / "x.csv", "--status", "final", "--status", "final")
    assert code == 0 and "(status: final;" in err and "final, final" not in err, err
