"""`rating-tui export` and `rating-tui merge` through Typer's runner, on real data folders."""

from __future__ import annotations

import csv
import io
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pytest
import typer

from rating_tui.cli import Settings
from rating_tui.cli.export_cmd import export
from rating_tui.cli.merge_cmd import merge
from rating_tui.cli.redcap_cmd import export_redcap, import_redcap
from rating_tui.instruments.loader import load_instrument, parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating
from rating_tui.store import Store
from tests.cli.invoke import run
from tests.conftest import REPO

INSTRUMENT_FILE = REPO / "tests" / "unit" / "export" / "export_instrument.toml"

app = typer.Typer()


@app.callback()
def _root(
    ctx: typer.Context,
    instruments: Annotated[list[Path] | None, typer.Option("--instruments")] = None,
) -> None:
    ctx.obj = Settings(data=None, instruments=list(instruments or []))


app.command("export")(export)
app.command("merge")(merge)
instruments_app = typer.Typer()
instruments_app.command("import-redcap")(import_redcap)
instruments_app.command("export-redcap")(export_redcap)
app.add_typer(instruments_app, name="instruments")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An instruments folder with versions 2.0.0 and 3.0.0 of the export sample."""
    out = tmp_path / "instruments"
    out.mkdir()
    shutil.copy(INSTRUMENT_FILE, out / "v2.toml")
    (out / "v3.toml").write_text(v3_text())
    return out


def v3_text() -> str:
    return INSTRUMENT_FILE.read_text().replace('version = "2.0.0"', 'version = "3.0.0"')


@pytest.fixture(scope="module")
def v2() -> Instrument:
    return load_instrument(INSTRUMENT_FILE).instrument


@pytest.fixture(scope="module")
def v3() -> Instrument:
    return parse_instrument(v3_text(), "v3")


def rating(ins: Instrument, dyad: str = "D001", day: str = "2025-03-04", **kw: object) -> Rating:
    r = Rating.new(ins, str(kw.pop("rater", "AB")))
    return r.replace(
        session=r.session | {"dyad": dyad, "session_date": day, "session_number": 2},
        answers={"narration": Answered(value=2), "processing": Missing(missing="not_observed")},
        now_moments=[NowMoment(text="=cmd|' /C calc'!A0", tags=["narration"])],
        **kw,
    )


@pytest.fixture
def data(tmp_path: Path, v2: Instrument) -> Path:
    """A data folder: three final ratings, a draft and a voided one."""
    store = Store.open(tmp_path / "data")
    for dyad, day, rater in [("D001", "2025-01-10", "AB"), ("D002", "2025-02-11", "CD"),
                             ("D001", "2025-03-12", "AB")]:  # fmt: skip
        store.finalise(rating(v2, dyad, day, rater=rater, notes="@risk"), v2)
    store.save_draft(rating(v2, "D003", "2025-03-01"), v2)
    voided = store.finalise(rating(v2, "D004", "2025-03-02"), v2)
    store.void(voided.id, by="AB", reason="wrong session")
    return tmp_path / "data"


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


Run = Callable[..., tuple[int, str, str]]


def test_wide_csv_to_a_private_file_with_summary_on_stderr(
    tmp_path: Path, folder: Path, data: Path
) -> None:
    out = tmp_path / "ratings.csv"
    code, stdout, err = run(
        "--instruments", str(folder), "export", "--data", str(data), "-o", str(out)
    )
    assert code == 0, err
    assert stdout == ""
    assert "exported 3 rating(s)" in err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = read_csv(out.read_text())
    assert [r["session_date"] for r in rows] == ["2025-01-10", "2025-02-11", "2025-03-12"]
    assert {r["status"] for r in rows} == {"final"}
    assert rows[0]["narration"] == "2" and rows[0]["processing"] == "-9"
    assert rows[0]["notes"] == "'@risk"


def test_ratings_the_statuses_leave_out_are_counted(folder: Path, data: Path) -> None:
    # It said "exported 3 rating(s)" of a folder that also holds a draft and a voided one.
    base = ("--instruments", str(folder), "export", "--data", str(data), "-o", "-")
    for fmt in ("csv", "jsonl"):
        code, _, err = run(*base, "-f", fmt)
        assert code == 0, err
        assert "not exported: 1 draft(s) and 1 voided rating(s) (status: final;" in err
    code, _, err = run(*base, "--status", "final", "--status", "draft")
    assert "not exported: 1 voided rating(s) (status: final, draft;" in err
    code, _, err = run(*base, "--status", "final", "--status", "draft", "--status", "voided")
    assert code == 0 and "not exported" not in err


def test_ratings_left_out_beside_another_filter_are_those_it_keeps(
    folder: Path, data: Path
) -> None:
    """The counts are of what the other filters keep: `--dyad X --status draft` said "not
    exported: N final rating(s)", of every dyad, as if they were X's."""
    base = ("--instruments", str(folder), "export", "--data", str(data), "-o", "-")
    code, _, err = run(*base, "--from", "2025-02-01", "--rater", "AB")
    assert code == 0, err
    assert (
        "not exported: 1 draft(s) and 1 voided rating(s) that match --rater AB --from "
        "2025-02-01 but not the status asked for (status: final;"
    ) in err
    code, _, err = run(*base, "--rater", "CD")  # the draft and the voided one are AB's
    assert code == 0 and "not exported" not in err, err
    code, _, err = run(*base, "--dyad", "D003")
    assert code == 1 and "--dyad D003 matches 1 draft(s), but none of status final" in err


def test_stdout_filters_and_statuses(folder: Path, data: Path) -> None:
    base = ("--instruments", str(folder), "export", "--data", str(data), "-o", "-")
    code, out, _ = run(*base, "--dyad", "D001")
    assert code == 0 and [r["dyad"] for r in read_csv(out)] == ["D001", "D001"]
    code, out, _ = run(*base, "--from", "2025-02-01", "--to", "2025-02-28")
    assert [r["session_date"] for r in read_csv(out)] == ["2025-02-11"]
    code, out, _ = run(*base, "--rater", "CD")
    assert [r["rater"] for r in read_csv(out)] == ["CD"]
    code, out, _ = run(*base, "--status", "draft", "--status", "voided")
    assert sorted(r["status"] for r in read_csv(out)) == ["draft", "voided"]


def test_bad_options_fail_with_one_line(tmp_path: Path, folder: Path, data: Path) -> None:
    base = ("--instruments", str(folder), "export", "--data", str(data))
    for args, expected in [
        (("--format", "xlsx"), "--format 'xlsx': expected one of csv, jsonl, redcap, sav, dta"),
        (("--from", "31/01/2025"), "expected a date like 2026-01-31"),
        (("--status", "done"), "--status 'done'"),
        (("--layout", "tall"), "--layout 'tall'"),
    ]:
        code, _, err = run(*base, *args)
        assert code == 1 and expected in err and "Traceback" not in err
    code, _, err = run("export", "--data", str(tmp_path / "nowhere"))
    assert code == 1 and "not a rating-tui data folder" in err
    assert not (tmp_path / "nowhere").exists()  # never created by an export
    code, _, err = run("export", "--data", str(data))  # no --instruments: the folder's copy
    assert code == 0, err


def test_several_versions_need_a_choice(
    tmp_path: Path, folder: Path, data: Path, v3: Instrument
) -> None:
    Store.open(data).finalise(rating(v3, "D009", "2025-04-01"), v3)
    base = ("--instruments", str(folder), "export", "--data", str(data))
    code, _, err = run(*base)
    assert code == 1
    assert "several versions of export-sample: 2.0.0, 3.0.0" in err
    assert "--instrument export-sample@3.0.0" in err and "--all-versions" in err
    code, out, _ = run(*base, "--instrument", "export-sample@3.0.0")
    assert code == 0 and [r["dyad"] for r in read_csv(out)] == ["D009"]
    code, out, _ = run(*base, "--all-versions")
    versions = [r["instrument_version"] for r in read_csv(out)]
    assert code == 0 and versions == ["2.0.0", "2.0.0", "2.0.0", "3.0.0"]
    code, out, err = run(*base, "--all-versions", "--format", "redcap")
    assert code == 1 and "one data dictionary" in err


def test_a_draft_only_version_does_not_count_as_found(
    folder: Path, data: Path, v3: Instrument
) -> None:
    Store.open(data).save_draft(rating(v3, "D009", "2025-04-01"), v3)
    code, out, err = run("--instruments", str(folder), "export", "--data", str(data))
    assert code == 0, err
    assert len(read_csv(out)) == 3


def test_jsonl_export_import_export_gives_identical_bytes(
    tmp_path: Path, folder: Path, data: Path, v2: Instrument
) -> None:
    from rating_tui.export.jsonl import read_jsonl

    first = tmp_path / "one.jsonl"
    args = ("--instruments", str(folder), "export", "-f", "jsonl")
    code, _, err = run(*args, "--data", str(data), "--status", "final", "--status", "draft",
                       "--status", "voided", "-o", str(first))  # fmt: skip
    assert code == 0, err
    ratings = list(read_jsonl(first.read_bytes().splitlines(), str(first)))
    assert len(ratings) == 5 and any(r.revisions for r in ratings)  # the voided one's history
    copy = Store.open(tmp_path / "copy")
    assert copy.import_ratings(ratings, {v2.ref: v2}).added == 5
    second = tmp_path / "two.jsonl"
    run(*args, "--data", str(tmp_path / "copy"), "--status", "final", "--status", "draft",
        "--status", "voided", "-o", str(second))  # fmt: skip
    assert second.read_bytes() == first.read_bytes()


def test_moments_codebook_and_excel(tmp_path: Path, folder: Path, data: Path) -> None:
    out, moments = tmp_path / "r.csv", tmp_path / "m.csv"
    book_md, book_csv = tmp_path / "codebook.md", tmp_path / "codebook.csv"
    base = ("--instruments", str(folder), "export", "--data", str(data))
    code, _, err = run(*base, "-o", str(out), "--moments", str(moments), "--codebook",
                       str(book_md), "--excel")  # fmt: skip
    assert code == 0, err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert moments.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(moments.read_text("utf-8"))
    assert len(rows) == 3 and rows[0]["text"] == "'=cmd|' /C calc'!A0"
    assert {r["rating_id"] for r in rows} == {r["rating_id"] for r in read_csv(out.read_text())}
    assert "wrote 3 now moment(s)" in err
    text = book_md.read_text()
    assert "| `processing` |" in text and "-9 = Not observed" in text
    code, _, _ = run(*base, "-o", str(out), "--codebook", str(book_csv), "--layout", "long")
    entries = read_csv(book_csv.read_text())
    assert [e["column"] for e in entries if e["source"] == "long"] == ["item", "value", "missing"]


def test_failed_export_leaves_no_file(tmp_path: Path, folder: Path, data: Path) -> None:
    out = tmp_path / "r.csv"
    out.write_text("previous export\n")
    code, _, err = run("--instruments", str(folder), "export", "--data", str(data),
                       "--instrument", "nope", "-o", str(out))  # fmt: skip
    assert code == 1 and "no ratings and no instrument file match" in err
    assert out.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".r.csv")] == []


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock", ".snapshots"))
    return dst


def test_several_data_folders_are_merged_with_a_summary(
    tmp_path: Path, folder: Path, data: Path, v2: Instrument
) -> None:
    laptop = copy_folder(data, tmp_path / "laptop")
    store = Store.open(laptop)
    first = next(iter(store.iter_all()))
    store.update(first.replace(notes="edited on the laptop"), v2, by="AB", reason="typo")
    original = Store.open(data)
    original.update(original.get(first.id).replace(notes="edited at the office"), v2,
                    by="CD", reason="typo")  # fmt: skip
    store.finalise(rating(v2, "D005", "2025-03-20"), v2)
    code, out, err = run("--instruments", str(folder), "export", "--data", str(data),
                         "--data", str(laptop))  # fmt: skip
    assert code == 0, err
    rows = read_csv(out)
    assert len(rows) == 4  # 3 shared + 1 new
    assert "read 11, merged 6, duplicates 4, older copies 0, conflicts 1" in err
    assert f"conflict {first.id}" in err and f"kept the copy in {data}," in err
    winner = next(r for r in rows if r["rating_id"] == first.id)
    assert winner["notes"] == "edited at the office"  # updated last


def test_merge_command_into_a_new_folder(
    tmp_path: Path, folder: Path, data: Path, v2: Instrument
) -> None:
    laptop = copy_folder(data, tmp_path / "laptop")
    Store.open(laptop).finalise(rating(v2, "D007", "2025-05-05"), v2)
    into = tmp_path / "study"
    code, _, err = run(
        "--instruments", str(folder), "merge", str(data), str(laptop), "--into", str(into)
    )
    assert code == 0, err
    assert "duplicates 5" in err and "added or updated 6 rating(s)" in err
    from rating_tui.ratings.model import STATUSES

    assert len(list(Store.open(into).iter_all(statuses=STATUSES))) == 6
    code, _, err = run("--instruments", str(folder), "merge", str(laptop), "--into", str(into))
    assert code == 0 and "added or updated 0 rating(s)" in err  # again: no change
    # the --into folder's own ratings are read and merged too, and counted as a folder
    assert f"merged 2 data folders ({into} included): read 12, merged 6, duplicates 6" in err
    code, _, err = run("merge", str(tmp_path / "missing"), "--into", str(into))
    assert code == 1 and "not a rating-tui data folder" in err


def test_redcap_dictionary_out_and_back_and_records(
    tmp_path: Path, folder: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    dictionary = tmp_path / "dict.csv"
    code, _, err = run("--instruments", str(folder), "instruments", "export-redcap",
                       "export-sample@2.0.0", "-o", str(dictionary))  # fmt: skip
    assert code == 0, err
    assert "Missing Data Codes to: -9, Not observed | -8, Not applicable | RF, Refused" in err
    code, _, err = run("instruments", "import-redcap", str(dictionary))
    assert code == 0, err
    back = load_instrument(tmp_path / "export-sample.toml").instrument
    assert back == load_instrument(INSTRUMENT_FILE).instrument
    code, _, err = run("instruments", "import-redcap", str(dictionary))
    assert code == 1 and "already exists" in err
    code, out, _ = run("--instruments", str(folder), "export", "--data", str(data), "-f", "redcap")
    header = out.splitlines()[0].split(",")
    assert header[0] == "record_id" and "present___infant" in header
    bad = tmp_path / "bad.csv"
    bad.write_text("Variable / Field Name,Form Name,Section Header,Field Type,Field Label,Choices\n"
                   "x,f,,text,X,\ny,f,,radio,Y,oops\n")  # fmt: skip
    code, _, err = run("instruments", "import-redcap", str(bad))
    assert code == 1 and "bad.csv:3: y: choice 'oops'" in err and "Traceback" not in err
    code, _, err = run("instruments", "export-redcap", "nope")
    assert code == 1 and "no instrument with id 'nope'" in err


def test_spss_and_stata_through_the_command(tmp_path: Path, folder: Path, data: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    base = ("--instruments", str(folder), "export", "--data", str(data))
    code, _, err = run(*base, "-f", "sav")
    assert code == 1 and "give one with -o FILE.sav" in err
    code, _, err = run(*base, "-f", "sav", "-o", str(tmp_path / "r.sav"))
    assert code == 0, err
    frame, meta = pyreadstat.read_sav(str(tmp_path / "r.sav"))
    assert len(frame) == 3 and meta.column_names_to_labels["dyad"] == "Dyad code"
    code, _, err = run(*base, "-f", "dta", "-o", str(tmp_path / "r.dta"))
    assert code == 0 and "exported 3 rating(s)" in err


def test_without_pyreadstat_the_command_names_the_extra(
    tmp_path: Path, folder: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    code, _, err = run("--instruments", str(folder), "export", "--data", str(data), "-f", "dta",
                       "-o", str(tmp_path / "r.dta"))  # fmt: skip
    assert code == 1 and "pip install 'rating-tui[spss]'" in err


def test_merge_into_a_folder_that_holds_an_older_and_a_conflicting_copy(
    tmp_path: Path, folder: Path, data: Path, v2: Instrument
) -> None:
    """The study folder takes the newer copies; its own versions stay in their history."""
    study = copy_folder(data, tmp_path / "study")
    laptop = copy_folder(data, tmp_path / "laptop")
    lap = Store.open(laptop)
    first, second = list(lap.iter_all())[:2]
    lap.update(first.replace(notes="edited on the laptop"), v2, by="AB", reason="typo")
    Store.open(study).update(
        Store.open(study).get(second.id).replace(notes="edited in the study"), v2,
        by="CD", reason="typo",
    )  # fmt: skip
    lap.update(second.replace(notes="edited later on the laptop"), v2, by="AB", reason="more")
    code, _, err = run("--instruments", str(folder), "merge", str(laptop), "--into", str(study))
    assert code == 0, err
    assert "added or updated 2 rating(s)" in err and "conflicts 1" in err
    merged = Store.open(study)
    newer = merged.get(first.id)
    assert newer.notes == "edited on the laptop"
    assert [r.previous.notes for r in newer.revisions] == [first.notes]
    conflicted = merged.get(second.id)
    assert conflicted.notes == "edited later on the laptop"  # the newest copy wins
    kept = [r.previous.notes for r in conflicted.revisions]
    assert "edited in the study" in kept  # and the study's own version is in its history


def test_writing_over_an_existing_file_says_so(tmp_path: Path, folder: Path, data: Path) -> None:
    out, book = tmp_path / "ratings.csv", tmp_path / "codebook.csv"
    args = ["--instruments", str(folder), "export", "--data", str(data), "-o", str(out)]
    code, _, err = run(*args, "--codebook", str(book))
    assert code == 0, err
    assert "replaced" not in err
    code, _, err = run(*args, "--codebook", str(book))
    assert code == 0, err
    assert f"to {out} (it replaced the file that was there)" in err
    assert f"codebook to {book} (it replaced the file that was there)" in err


def test_a_merge_refused_for_one_rating_says_that_nothing_was_merged(
    tmp_path: Path, data: Path, v2: Instrument
) -> None:
    """Another folder holds a rating made with other content under the same id@version: the
    merge (one transaction) stores none of them, and says so, not just "X was not saved"."""
    other = parse_instrument(
        INSTRUMENT_FILE.read_text().replace("title = ", 'title = "changed" #', 1), "other"
    )
    laptop = tmp_path / "laptop"
    Store.open(laptop).finalise(rating(other, "D009", "2025-05-05"), other)
    into = tmp_path / "study"
    code, _, err = run("merge", str(data), str(laptop), "--into", str(into))
    assert code == 1 and "was not saved" in err
    assert f"nothing was merged into {into}: a merge stores all of its ratings or none" in err
    assert Store.open(into).list(statuses=("final", "draft", "voided")) == []
