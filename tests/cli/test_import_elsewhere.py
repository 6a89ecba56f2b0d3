"""`ratings import` from elsewhere: the app's own wide CSV (with its now-moments table) round
trip on demo data, JSON Lines and CSV without the instrument hash, grouped problems,
`--errors FILE` and `--check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rating_tui.ratings import STATUSES, Missing
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.invoke import run

ALL = ("--status", "final", "--status", "draft", "--status", "voided")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with 120 demo ratings (drafts, edits, voids, moments); read only."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 120, seed=11)
    return folder


def export(folder: Path, out: Path, *extra: str) -> tuple[bytes, bytes]:
    main, moments = out / "ratings.csv", out / "moments.csv"
    out.mkdir(parents=True, exist_ok=True)
    code, _, err = run(
        "export", "--data", str(folder), "-o", str(main), "--moments", str(moments), *ALL, *extra
    )
    assert code == 0, err
    return main.read_bytes(), moments.read_bytes()


@pytest.mark.parametrize("values", ["codes", "labels"])
def test_the_wide_csv_export_imports_into_an_empty_folder_and_exports_to_the_same_bytes(
    demo: Path, tmp_path: Path, values: str
) -> None:
    first = export(demo, tmp_path / "first")
    source = tmp_path / "first"
    if values == "labels":  # the labelled export imports too, to the same ratings
        export(demo, tmp_path / "labelled", "--values", "labels")
        source = tmp_path / "labelled"
    target = tmp_path / "copy"
    code, out, err = run(
        "ratings", "import", str(source / "ratings.csv"),
        "--moments", str(source / "moments.csv"), "--data", str(target), "--accept-warnings",
    )  # fmt: skip
    assert code == 0, err
    count = len(list(Store.open(demo).iter_all(statuses=STATUSES)))
    assert f"{count} added, 0 already present" in out
    assert export(target, tmp_path / "second") == first
    assert first[1].count(b"\n") > 2  # the demo data has now moments to carry


def test_a_csv_with_moments_but_no_moments_table_is_refused(demo: Path, tmp_path: Path) -> None:
    export(demo, tmp_path / "first")
    target = tmp_path / "copy"
    code, _, err = run(
        "ratings", "import", str(tmp_path / "first" / "ratings.csv"), "--data", str(target)
    )
    assert code == 1
    assert "but no now-moments table was given (--moments FILE)" in err
    assert "nothing was imported" in err
    assert not target.exists()


def _jsonl_without_hash(demo: Path, path: Path, narration: int | None = None) -> int:
    ratings = [r for r in Store.open(demo).iter_all() if r.status == "final"][:65]
    with path.open("w") as out:
        for r in ratings:
            data = json.loads(r.model_dump_json())
            del data["instrument"]["hash"]
            if narration is not None:
                data["answers"]["narration"] = {"value": narration}
            out.write(json.dumps(data) + "\n")
    return len(ratings)


def test_jsonl_without_the_hash_is_taken_when_the_version_is_known(
    demo: Path, tmp_path: Path
) -> None:
    source = tmp_path / "nohash.jsonl"
    n = _jsonl_without_hash(demo, source)
    code, out, err = run(
        "ratings", "import", str(source), "--data", str(tmp_path / "d"), "--accept-warnings"
    )
    assert code == 0, err
    assert f"{n} added" in out
    assert f"{n} rating(s) named {builtin_instrument().ref} without its content hash" in out
    stored = {r.id: r for r in Store.open(demo).iter_all()}
    for r in Store.open(tmp_path / "d").iter_all():
        assert r == stored[r.id]  # the known hash was recorded: the same ratings


def test_the_same_problem_on_many_lines_is_reported_once(demo: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    n = _jsonl_without_hash(demo, source, narration=99)
    errors = tmp_path / "errors.txt"
    code, out, err = run(
        "ratings", "import", str(source), "--data", str(tmp_path / "d"), "--errors", str(errors)
    )
    assert code == 1 and out == ""
    message = "items.narration: expected one of the scale points 0, 1, 2, 3, 4, found 99"
    numbers = ", ".join(str(k) for k in range(1, 11))
    assert f"{source}: {message} — {n} lines: {numbers}, …, {n}\n" in err
    assert err.count(message) == 1
    assert f"{n} of {n} rating line(s) in {source} are invalid; nothing was imported" in err
    written = errors.read_text().splitlines()
    assert written == [f"{source}:{k}: {message}" for k in range(1, n + 1)]
    assert not (tmp_path / "d").exists()


def test_check_validates_without_storing(demo: Path, tmp_path: Path) -> None:
    source = tmp_path / "nohash.jsonl"
    n = _jsonl_without_hash(demo, source)
    errors = tmp_path / "errors.txt"
    errors.write_text("stale problems of an earlier run\n")
    code, out, err = run(
        "ratings", "import", str(source), "--data", str(tmp_path / "d"), "--check",
        "--errors", str(errors),
    )  # fmt: skip
    assert code == 0, err
    assert f"{n} rating(s) valid; nothing stored (--check)" in out
    assert not (tmp_path / "d").exists()
    assert errors.read_text() == ""  # no problem this time: the file says so


def test_a_hash_that_is_given_must_match(demo: Path, tmp_path: Path) -> None:
    export(demo, tmp_path / "first")
    main = tmp_path / "first" / "ratings.csv"
    text = main.read_bytes().decode()
    header, first, *rest = text.split("\r\n")
    cells = first.split(",")
    cells[3] = "f" * 64
    main.write_bytes("\r\n".join([header, ",".join(cells), *rest]).encode())
    code, _, err = run(
        "ratings", "import", str(main), "--moments", str(tmp_path / "first" / "moments.csv"),
        "--data", str(tmp_path / "d"),
    )  # fmt: skip
    assert code == 1
    assert f"{main}:2: instrument.hash: made with other content of" in err


# --- REDCap records ---------------------------------------------------------------------------

REF = "paris-2009-seven-concepts@0.1.0"


def test_our_redcap_records_export_imports_back(demo: Path, tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    code, _, err = run("export", "--data", str(demo), "--format", "redcap", "-o", str(records))
    assert code == 0, err
    target = tmp_path / "copy"
    code, out, err = run(
        "ratings", "import", "--format", "redcap", str(records), "--instrument", REF,
        "--data", str(target), "--accept-warnings",
    )  # fmt: skip
    assert code == 0, err
    originals = {r.id: r for r in Store.open(demo).iter_all()}
    imported = list(Store.open(target).iter_all())
    assert f"{len(imported)} added" in out and len(imported) == len(originals)
    assert "created and updated are the session date" in out
    for r in imported:
        before = originals[r.id]
        assert (r.session, r.answers, r.rater, r.status) == (
            before.session,
            before.answers,
            before.rater,
            before.status,
        )
    code, out, _ = run(
        "ratings", "import", "--format", "redcap", str(records), "--instrument", REF,
        "--data", str(target), "--accept-warnings",
    )  # fmt: skip
    assert code == 0 and f"0 added, {len(imported)} already present" in out


def test_redcap_records_with_numbered_ids_and_bookkeeping_columns(tmp_path: Path) -> None:
    """REDCap's own records export: record ids 1, 2, ..., an event column, codes as text."""
    records = tmp_path / "redcap.csv"
    header = (
        "record_id,redcap_event_name,dyad,session_date,session_number,rater,setting,"
        "duration_min,infant_age_months,present___mother,present___infant,present___partner,"
        "present___siblings,present___other_family,present___other_professional,basis,"
        "narration,processing,past_present,modeling,affective,future,reflective,"
        "paris_2009_seven_concepts_complete"
    )
    rows = [
        "1,baseline_arm_1,EC0417,2026-01-31,3,RP,home,60,4.5,1,1,0,0,0,0,video,3,2,-9,-8,2,0,1,2",
        "2,baseline_arm_1,EC0418,2026-02-02,1,RP,office,,,1,0,0,0,0,0,live,1,,,,,,,0",
    ]
    records.write_bytes("\r\n".join([header, *rows, ""]).encode())
    args = ["ratings", "import", "--format", "redcap", str(records), "--instrument", REF]
    code, out, err = run(*args, "--data", str(tmp_path / "d"))
    assert code == 0, err
    assert "2 added" in out and "REDCap columns not read: redcap_event_name" in out
    final, draft = sorted(
        Store.open(tmp_path / "d").iter_all(statuses=STATUSES), key=lambda r: r.status, reverse=True
    )
    assert final.status == "final" and draft.status == "draft"
    assert final.session["present"] == ["mother", "infant"]
    assert final.session["infant_age_months"] == 4.5
    assert final.answers["past_present"] == Missing(missing="not_observed")
    assert final.answers["modeling"] == Missing(missing="not_applicable")
    assert final.created.isoformat() == "2026-01-31T00:00:00+00:00"
    again = run(*args, "--data", str(tmp_path / "d"))
    assert again[0] == 0 and "0 added, 2 already present" in again[1]
    # a value outside the scale on both rows: one grouped problem, nothing stored
    records.write_bytes(
        "\r\n".join(
            [
                header,
                *(
                    r.replace(",video,3,", ",video,7,").replace(",live,1,", ",live,7,")
                    for r in rows
                ),
                "",
            ]
        ).encode()
    )
    code, _, err = run(*args, "--data", str(tmp_path / "e"))
    assert code == 1
    assert (
        "items.narration: expected one of the scale points 0, 1, 2, 3, 4, found 7 — 2 lines: 2, 3"
        in err
    )
    assert not (tmp_path / "e").exists()


# --- branching and scores on the command line -------------------------------------------------

DATA = Path(__file__).resolve().parents[1] / "data"


def _study_line(rating_id: str, present: list[str], answers: dict[str, object]) -> str:
    return json.dumps(
        {
            "id": rating_id,
            "instrument": {"id": "study", "version": "1.0.0"},
            "rater": "RP",
            "session": {"dyad": "D1", "session_date": "2026-01-02", "rater": "RP",
                        "present": present},
            "answers": {k: {"value": v} for k, v in answers.items()},
            "status": "final",
            "created": "2026-01-02T10:00:00+00:00",
            "updated": "2026-01-02T10:00:00+00:00",
        }
    )  # fmt: skip


def test_import_refuses_an_answer_to_a_question_not_asked_naming_the_condition(
    tmp_path: Path,
) -> None:
    source = tmp_path / "study.jsonl"
    good = _study_line("2b6f0c1e-8c4e-4c0b-9a51-3f1f2a9d5e01", ["mother"], {"narration": 0})
    bad = _study_line(
        "2b6f0c1e-8c4e-4c0b-9a51-3f1f2a9d5e02", ["mother"], {"narration": 0, "modeling": 1}
    )
    source.write_text(good + "\n" + bad + "\n")
    base = ["--instruments", str(DATA), "ratings", "import", str(source)]
    code, _, err = run(*base, "--data", str(tmp_path / "d"))
    assert code == 1
    assert (
        f"{source}:2: items.modeling: answered, but not asked: it is asked only if "
        "infant_awake = 1" in err
    )
    source.write_text(good + "\n")
    code, out, err = run(*base, "--data", str(tmp_path / "d"))
    assert code == 0, err
    code, out, _ = run(
        "--instruments", str(DATA), "ratings", "show", "2b6f0c1e", "--data", str(tmp_path / "d")
    )
    assert code == 0
    assert "Modeling" in out and "not asked" in out
    assert "Mean of the concepts" in out and "– (too few values: 1, needs 2)" in out


def test_a_csv_without_the_hash_column_is_taken_and_the_summary_says_so(
    demo: Path, tmp_path: Path
) -> None:
    import csv
    import io

    export(demo, tmp_path / "first")
    main = tmp_path / "first" / "ratings.csv"
    rows = list(csv.reader(io.StringIO(main.read_bytes().decode(), newline="")))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([r[:3] + r[4:] for r in rows])
    main.write_bytes(out.getvalue().encode())
    code, stdout, err = run(
        "ratings", "import", str(main), "--moments", str(tmp_path / "first" / "moments.csv"),
        "--data", str(tmp_path / "d"), "--accept-warnings",
    )  # fmt: skip
    assert code == 0, err
    n = len(rows) - 1
    assert f"{n} added" in stdout
    assert f"{n} rating(s) named {builtin_instrument().ref} without its content hash" in stdout
    assert export(tmp_path / "d", tmp_path / "second")[0] == export(demo, tmp_path / "third")[0]


def test_instruments_show_gives_conditions_and_score_formulas() -> None:
    code, out, _ = run("--instruments", str(DATA), "instruments", "show", "study@1.0.0")
    assert code == 0
    assert "asked only if infant_awake = 1" in out
    assert "Scores (computed, never stored)" in out
    assert "process_sum: Sum of the concepts = sum of modeling, narration, affective" in out


@pytest.mark.parametrize("column", ["duration_min", "reflective", "n_now_moments"])
def test_a_csv_missing_a_column_is_refused_naming_it(
    demo: Path, tmp_path: Path, column: str
) -> None:
    """An optional field, an item or the moments count cut out of the table: each rating
    would be read without it (an empty duration, an unanswered item, moments not asked for)."""
    import csv
    import io

    export(demo, tmp_path / "first")
    main = tmp_path / "first" / "ratings.csv"
    rows = list(csv.reader(io.StringIO(main.read_bytes().decode(), newline="")))
    cut = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([r[:cut] + r[cut + 1 :] for r in rows])
    main.write_bytes(out.getvalue().encode())
    target = tmp_path / "d"
    code, _, err = run("ratings", "import", str(main), "--data", str(target), "--accept-warnings")
    assert code == 1
    assert f"ratings.csv:1: missing column(s) {column}: every rating would be read" in err
    assert "nothing was imported" in err and not target.exists()


def _redcap_without(demo: Path, tmp_path: Path, column: str) -> Path:
    import csv
    import io

    records = tmp_path / "records.csv"
    code, _, err = run("export", "--data", str(demo), "-f", "redcap", "-o", str(records))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(records.read_text(), newline="")))
    cut = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out).writerows([r[:cut] + r[cut + 1 :] for r in rows])
    records.write_text(out.getvalue())
    return records


def test_redcap_records_without_the_complete_column_are_refused(demo: Path, tmp_path: Path) -> None:
    """Every record was taken as a draft without a word (final is `_complete` = 2)."""
    records = _redcap_without(demo, tmp_path, "paris_2009_seven_concepts_complete")
    target = tmp_path / "d"
    code, _, err = run(
        "ratings", "import", str(records), "--format", "redcap",
        "--instrument", f"{builtin_instrument().ref}", "--data", str(target), "--accept-warnings",
    )  # fmt: skip
    assert code == 1 and "records.csv:1: no paris_2009_seven_concepts_complete column" in err
    assert not target.exists()


def test_redcap_records_without_a_field_column_say_so(demo: Path, tmp_path: Path) -> None:
    records = _redcap_without(demo, tmp_path, "duration_min")
    code, out, err = run(
        "ratings", "import", str(records), "--format", "redcap",
        "--instrument", f"{builtin_instrument().ref}", "--check",
    )  # fmt: skip
    assert code == 0, err
    assert "column(s) not in the file, so no rating has a value for them: duration_min" in out
