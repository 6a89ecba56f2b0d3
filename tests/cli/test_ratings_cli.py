"""`ratings import / list / show` through Typer's runner: what is stored, what is refused
(with the line and the reason), what is listed and shown, and never a traceback."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from rating_tui.ratings import STATUSES, Missing, Rating
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.invoke import run
from tests.conftest import BUILTIN_ID, REPO

BUILTIN_FILE = REPO / "instruments" / f"{BUILTIN_ID}.toml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with 160 demo ratings (drafts, edits, voids included); read only."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 160, seed=5)
    return folder


@pytest.fixture(scope="module")
def stored(demo: Path) -> list[Rating]:
    return list(Store.open(demo).iter_all(statuses=STATUSES))


def lines(*items: Rating | dict[str, Any] | str) -> str:
    """JSON Lines text: ratings as the store writes them, dicts as JSON, strings as they are."""

    def one(item: Rating | dict[str, Any] | str) -> str:
        if isinstance(item, Rating):
            return item.model_dump_json()
        return json.dumps(item) if isinstance(item, dict) else item

    return "".join(one(item) + "\n" for item in items)


def dump(rating: Rating) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(rating.model_dump_json())
    return data


def ids_in(out: str) -> set[str]:
    return set(re.findall(r"^\s*([0-9a-f]{8})\s", out, re.MULTILINE))


# --- import -----------------------------------------------------------------------------------


def test_import_stores_every_rating_and_a_reimport_is_a_no_op(
    tmp_path: Path, stored: list[Rating]
) -> None:
    source = tmp_path / "ratings.jsonl"
    source.write_text(lines(*stored))
    data = tmp_path / "data"
    code, out, _ = run("ratings", "import", str(source), "--data", str(data), "--accept-warnings")
    assert code == 0 and f"{len(stored)} added, 0 already present" in out  # second raters
    copies = {r.id: r for r in Store.open(data).iter_all(statuses=STATUSES)}
    assert copies == {r.id: r for r in stored}  # drafts, voids, revisions: all as they were
    code, out, _ = run("ratings", "import", str(source), "--data", str(data))
    assert code == 0 and f"0 added, {len(stored)} already present" in out


def test_import_reads_stdin_skips_blank_lines_and_a_byte_order_mark(
    tmp_path: Path, stored: list[Rating]
) -> None:
    text = "\ufeff" + lines(stored[0]) + "\n   \n\r\n" + lines(stored[1], stored[1]) + "\n"
    code, out, _ = run("ratings", "import", "-", "--data", str(tmp_path), stdin=text.encode())
    # the repeated line is not "already present" in an empty folder: it is said as a repeat
    assert code == 0 and "<stdin>: 2 added, 0 already present" in out
    assert "1 line(s) repeat an earlier one with the same content and were read once: " in out
    assert "line 6 (= 5)" in out
    assert len(Store.open(tmp_path).list(statuses=STATUSES)) == 2


def test_a_repeated_csv_row_is_read_once_and_said_not_counted_as_already_present(
    tmp_path: Path, demo: Path
) -> None:
    export = tmp_path / "e.csv"
    code, _, _ = run("export", "--data", str(demo), "-o", str(export), "--rater", "clin_01")
    assert code == 0
    header, first, *rest = export.read_text().splitlines(keepends=True)
    rows = [r for r in [first, *rest] if r.split(",")[-2] == "0"][:2]  # no now moments
    export.write_text(header + rows[0] + rows[1] + rows[0])
    code, out, err = run("ratings", "import", str(export), "--data", str(tmp_path / "d"))
    assert code == 0, err
    assert "2 added, 0 already present" in out
    assert "1 row(s) repeat an earlier one with the same content and were read once: " in out
    assert "row 4 (= 2)" in out


def test_every_bad_line_is_reported_and_nothing_is_stored(
    tmp_path: Path, stored: list[Rating]
) -> None:
    good = [r for r in stored if r.status == "final"]
    out_of_scale = dump(good[1]) | {"answers": {"narration": {"value": 9}}}
    unknown_version = dump(good[2])
    unknown_version["instrument"]["version"] = "9.9.9"
    other_hash = dump(good[3])
    other_hash["instrument"]["hash"] = "0" * 64
    no_rater = {k: v for k, v in dump(good[4]).items() if k != "rater"}
    typo = dump(good[5]) | {"notse": ""}
    source = tmp_path / "bad.jsonl"
    source.write_text(
        lines(good[0], "{not json", "[1, 2]", out_of_scale, unknown_version, other_hash)
        + lines(no_rater, typo, good[6], "")
    )
    data = tmp_path / "data"
    every = tmp_path / "errors.txt"
    code, out, err = run(
        "ratings", "import", str(source), "--data", str(data), "--errors", str(every)
    )
    assert code == 1 and out == ""
    expected = {
        2: "not valid JSON: Expecting property name enclosed in double quotes at column 2",
        3: "expected a JSON object (one rating), found list",
        4: "items.narration: expected one of the scale points 0, 1, 2, 3, 4, found 9",
        5: f"{BUILTIN_ID}@9.9.9 is not among your instruments (versions found: 0.1.0, 0.2.0)",
        6: "instrument.hash: made with other content of",
        7: "rater: Field required",
        8: "notse: Extra inputs are not permitted",
    }
    written = every.read_text()
    for number, message in expected.items():
        assert f"{source}:{number}: " in written and message in written, (number, written)
        if number <= 4:  # the first distinct problems are shown in full, the rest counted
            assert f"{source}:{number}: " in err and message in err, (number, err)
    assert re.search(rf"… and \d+ more distinct problem\(s\) on 4 line\(s\); see {every}", err)
    assert not re.search(rf"{source}:(1|9):", err + written)
    assert "7 of 9 rating line(s)" in err and "nothing was imported" in err
    assert not data.exists()


def test_a_repeated_id_with_other_content_names_both_lines(
    tmp_path: Path, stored: list[Rating]
) -> None:
    changed = stored[0].replace(notes="another text")
    source = tmp_path / "twice.jsonl"
    source.write_text(lines(stored[0], stored[1], changed))
    code, _, err = run("ratings", "import", str(source), "--data", str(tmp_path / "d"))
    assert code == 1
    assert f"{source}:3: rating {stored[0].id} is also on line 1, with other content" in err


def test_an_id_stored_with_other_content_is_a_conflict_and_changes_nothing(
    tmp_path: Path, stored: list[Rating]
) -> None:
    data = tmp_path / "data"
    first = tmp_path / "first.jsonl"
    first.write_text(lines(stored[0]))
    assert run("ratings", "import", str(first), "--data", str(data))[0] == 0
    second = tmp_path / "second.jsonl"
    second.write_text(lines(stored[1], stored[0].replace(notes="edited elsewhere")))
    code, _, err = run("ratings", "import", str(second), "--data", str(data))
    assert code == 1 and f"{second}:2: rating {stored[0].id}" in err and "other content" in err
    assert [r.id for r in Store.open(data).iter_all(statuses=STATUSES)] == [stored[0].id]


def test_an_instrument_changed_under_its_version_is_refused(
    tmp_path: Path, stored: list[Rating]
) -> None:
    """A rating made with a user instrument whose file was later edited without a version
    bump: the line matches the edited file, but not what the store registered."""
    from rating_tui.instruments.loader import load_instrument

    folder = tmp_path / "instruments"
    folder.mkdir()
    mine = folder / "mine.toml"
    text = BUILTIN_FILE.read_text().replace('version = "0.2.0"', 'version = "7.0.0"', 1)
    mine.write_text(text)
    data = tmp_path / "data"

    def made_with(path: Path, rating: Rating) -> Rating:
        from rating_tui.ratings import InstrumentRef

        return rating.replace(instrument=InstrumentRef.of(load_instrument(path).instrument))

    source = tmp_path / "a.jsonl"
    source.write_text(lines(made_with(mine, stored[0])))
    args = ("--instruments", str(folder), "ratings", "import")
    assert run(*args, str(source), "--data", str(data))[0] == 0
    mine.write_text(text.replace("Absent", "Not at all", 1))  # same version, new content
    source.write_text(lines(made_with(mine, stored[1])))
    code, _, err = run(*args, str(source), "--data", str(data))
    assert code == 1 and "has changed since ratings were saved with it" in err
    assert "version" in err and len(list(Store.open(data).iter_all(statuses=STATUSES))) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8 text (byte 0x89 at column 1)"),
        (b"\x00\x01garbage\n", "not valid JSON"),
        (b'{"id": 1}', "id: Input should be a valid string"),
        (b"[" * 50_000 + b"]" * 50_000, "not a rating: JSON nested far too deeply"),
    ],
)
def test_garbage_is_reported_by_line(tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "junk.jsonl"
    source.write_bytes(content)
    code, _, err = run("ratings", "import", str(source), "--data", str(tmp_path / "d"))
    assert code == 1 and f"{source}:1: {message}" in err


def test_folders_missing_and_empty_files(tmp_path: Path) -> None:
    data = ("--data", str(tmp_path / "d"))
    code, _, err = run("ratings", "import", str(tmp_path), *data)
    assert code == 1 and "is a folder; expected a JSON Lines file" in err
    code, _, err = run("ratings", "import", str(tmp_path / "nope.jsonl"), *data)
    assert code == 1 and "nope.jsonl: no such file" in err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    code, out, _ = run("ratings", "import", str(empty), *data)
    assert code == 0 and "holds no ratings" in out
    assert not (tmp_path / "d").exists()


def test_import_help_documents_the_line_shape() -> None:
    code, out, _ = run("ratings", "import", "--help")
    assert code == 0
    for text in ('"instrument": {"id":', '"answers": {"narration": {"value": 3}', '"revisions"'):
        assert text in out, text
    assert '"tags": ["affective"]' in out  # brackets survive Rich markup


# --- list -------------------------------------------------------------------------------------


def test_list_shows_final_ratings_newest_first(demo: Path, stored: list[Rating]) -> None:
    code, out, _ = run("ratings", "list", "--data", str(demo), "--limit", "0")
    finals = [r for r in stored if r.status == "final"]
    assert code == 0 and ids_in(out) == {r.id[:8] for r in finals}
    assert f"{len(finals)} rating(s), newest first, all {BUILTIN_ID}@0.2.0" in out
    days = re.findall(r"\d{4}-\d{2}-\d{2}", out)
    assert days == sorted(days, reverse=True)
    assert "7/7" in out and "draft" not in out


def test_list_filters(demo: Path, stored: list[Rating]) -> None:
    r = next(r for r in stored if r.status == "final")
    dyad, rater, day = str(r.session["dyad"]), r.rater, str(r.session["session_date"])

    def listed(*args: str) -> set[str]:
        code, out, _ = run("ratings", "list", "--data", str(demo), "--limit", "0", *args)
        assert code == 0
        return ids_in(out)

    def expect(keep: Any, statuses: tuple[str, ...] = ("final",)) -> set[str]:
        return {x.id[:8] for x in stored if x.status in statuses and keep(x)}

    assert listed("--dyad", dyad) == expect(lambda x: x.session["dyad"] == dyad)
    assert listed("--rater", rater) == expect(lambda x: x.rater == rater)
    assert listed("--from", day, "--to", day) == expect(lambda x: x.session["session_date"] == day)
    assert listed("--status", "draft", "--status", "voided") == expect(
        lambda x: True, ("draft", "voided")
    )
    assert listed("--instrument", BUILTIN_ID) == expect(lambda x: True)
    assert listed("--instrument", "other") == set()
    out = run("ratings", "list", "--data", str(demo), "--limit", "3")[1]
    assert len(ids_in(out)) == 3
    assert "the newest 3 rating(s); more match (--limit 0 lists all)" in out  # not "3 rating(s)"
    finals = len(expect(lambda x: True))
    out = run("ratings", "list", "--data", str(demo), "--limit", str(finals))[1]
    assert f"{finals} rating(s), newest first" in out and "more match" not in out
    out = run("ratings", "list", "--data", str(demo), "--status", "draft")[1]
    assert "draft" in out and re.search(r"\b[0-6]/7\b", out)  # drafts are unfinished


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2024-13-01"), "--from '2024-13-01': there is no month 13"),
        (("--to", "yesterday"), "--to 'yesterday': expected a date like 2026-01-31"),
        (("--from", "2024-05-01", "--to", "2024-04-01"), "--from 2024-05-01 is after --to"),
        (("--status", "deleted"), "'deleted' is not a status; choose from draft, final, voided"),
        (("--limit", "-1"), "--limit must be 0 (all) or more"),
    ],
)
def test_list_refuses_bad_options_in_one_line(
    demo: Path, args: tuple[str, ...], message: str
) -> None:
    code, _, err = run("ratings", "list", "--data", str(demo), *args)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_data_folder_from_option_root_option_or_environment(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "nothing-here"
    code, out, _ = run("ratings", "list", "--data", str(empty))
    assert code == 0 and "does not exist yet" in out and not empty.exists()
    assert ids_in(run("--data", str(demo), "ratings", "list")[1])
    assert ids_in(run("--data", str(demo), "ratings", "list", "--data", str(demo))[1])
    code, _, err = run("--data", str(empty), "ratings", "list", "--data", str(demo))
    assert code == 1 and "only the folder(s) after it would be read" in err  # was: read alone
    monkeypatch.setenv("RATING_TUI_DATA", str(demo))
    assert ids_in(run("ratings", "list")[1])
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "a.txt").write_text("")
    for command in (("list",), ("show", "abcd")):
        code, _, err = run("ratings", *command, "--data", str(tmp_path / "letters"))
        assert code == 1 and "is not a rating-tui data folder" in err
    assert [p.name for p in (tmp_path / "letters").iterdir()] == ["a.txt"]


def test_list_of_a_damaged_folder_is_one_clear_error(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(demo, copy)
    (copy / "store.json").write_text("{oops")
    code, _, err = run("ratings", "list", "--data", str(copy))
    assert code == 1 and "store.json is damaged" in err


# --- show -------------------------------------------------------------------------------------


def test_show_everything_about_an_edited_rating_by_prefix(demo: Path, stored: list[Rating]) -> None:
    r = next(r for r in stored if len(r.revisions) >= 1 and r.status == "final")
    code, out, _ = run("ratings", "show", r.id[:6], "--data", str(demo))
    assert code == 0
    flat = " ".join(out.split())
    for text in (r.id, "Dyad code", str(r.session["dyad"]), "Session number", "Rating based on"):
        assert text in flat, text
    assert "Narration of the experience" in flat and re.search(
        r"\d \((Absent|Minimal|Moderate|Marked|Central)\)", flat
    )
    assert "History" in out and "first saved" in flat
    for revision in r.revisions:
        assert f"{revision.reason}:" in flat and revision.at.strftime("%Y-%m-%d %H:%M") in flat
    assert re.search(r"\w+ \d -> \d", flat)  # what the edit changed


def test_show_voided_missing_codes_moments_and_notes(demo: Path, stored: list[Rating]) -> None:
    voided = next(r for r in stored if r.status == "voided")
    flat = " ".join(run("ratings", "show", voided.id, "--data", str(demo))[1].split())
    assert f"voided: {voided.void_reason}" in flat and "status final -> voided" in flat
    coded = next(
        r
        for r in stored
        if r.now_moments and any(isinstance(a, Missing) for a in r.answers.values())
    )
    flat = " ".join(run("ratings", "show", coded.id[:8], "--data", str(demo))[1].split())
    assert (
        "not_observed (Not observed in this session)" in flat
        or "not_applicable (Not applicable" in flat
    )
    assert " ".join(coded.now_moments[0].text.split()) in flat
    assert f"touched: {', '.join(coded.now_moments[0].tags)}" in flat


def test_show_prints_rater_text_literally(tmp_path: Path, stored: list[Rating]) -> None:
    data = tmp_path / "data"
    odd = stored[0].replace(
        notes="[bold]not markup[/bold] and [red]", id="abcd0000-0000-4000-8000-000000000001"
    )
    twin = stored[1].replace(id="abcd1111-0000-4000-8000-000000000002")
    source = tmp_path / "odd.jsonl"
    source.write_text(lines(odd, twin))
    assert run("ratings", "import", str(source), "--data", str(data))[0] == 0
    code, out, _ = run("ratings", "show", "abcd0000", "--data", str(data))
    assert code == 0 and "[bold]not markup[/bold] and [red]" in out
    code, _, err = run("ratings", "show", "abcd", "--data", str(data))
    assert code == 1 and "2 ratings" in err and "'abcd'" in err


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        (
            "abc",
            "'abc' is too short: give at least 4 characters of the rating id",
        ),  # it said 'is not a rating id or the start of one' of a true start
        ("zzzz1234", "'zzzz1234' is not a rating id"),
        ("ffffffff", "no rating in"),
    ],
)
def test_show_unknown_or_malformed_ids(demo: Path, prefix: str, message: str) -> None:
    code, out, err = run("ratings", "show", prefix, "--data", str(demo))
    assert code == 1 and message in err and out == ""


def test_a_rating_whose_instrument_file_is_gone_is_read_with_the_folders_copy(
    tmp_path: Path,
) -> None:
    """No instruments folder holds the file any more: `list` said `7/?` and `show` printed
    keys without labels ("not among yours"), though the data folder keeps the exact copy."""
    from rating_tui.instruments.loader import parse_instrument
    from rating_tui.ratings import Answered

    text = BUILTIN_FILE.read_text(encoding="utf-8")
    instrument = parse_instrument(text.replace(f'id = "{BUILTIN_ID}"', 'id = "kept-only"', 1))
    store = Store.open(tmp_path / "data")
    rating = Rating.new(instrument, "RP").replace(
        session={"dyad": "EC0417", "session_date": "2026-03-01", "session_number": 1,
                 "rater": "RP", "setting": "home", "present": ["mother"], "basis": "live"},
        answers={i.key: Answered(value=2) for i in instrument.items},
    )  # fmt: skip
    store.finalise(rating, instrument)
    code, out, _ = run("ratings", "list", "--data", str(tmp_path / "data"))
    assert code == 0 and "7/7" in out and "7/?" not in out
    code, out, _ = run("ratings", "show", rating.id[:8], "--data", str(tmp_path / "data"))
    assert code == 0 and "not among yours" not in out
    assert "Dyad code" in out and "2 (Moderate)" in out
