"""Text that cannot drive a terminal: control characters are refused at the door (imports,
instrument files, the store the app saves through) with the line and field named, bidi
controls are refused in codes and escaped in free text, and whatever was stored before these
rules is escaped wherever it is printed. Also the limits on text and whole numbers, and the
same validation for every revision inside an imported rating."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rating_tui.cli import app
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.problems import InstrumentError
from rating_tui.ratings import STATUSES, NowMoment, Rating
from rating_tui.ratings.limits import MAX_INT, MAX_NOTES
from rating_tui.safetext import code_problem, control_problem, escape, escape_line
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from rating_tui.tui.format import rating_line
from tests.unit.instruments.conftest import MINIMAL_TOML

SCREEN_CLEAR = "\x1b[2J"
TITLE = "\x1b]0;owned\x07"
RLO = "\u202e"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), f"raised {result.exception!r}"
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_escape_keeps_newline_tab_and_printable_text() -> None:
    assert escape("née\tà\n✓ [b]x[/b]") == "née\tà\n✓ [b]x[/b]"
    assert escape(SCREEN_CLEAR + TITLE) == "\\x1b[2J\\x1b]0;owned\\x07"
    assert escape("a\x00b\x7fc\x9bd" + RLO) == "a\\x00b\\x7fc\\x9bd\\u202e"
    assert escape_line("a\nb\tc") == "a\\nb\\tc"
    assert control_problem("ok\n\tok") is None
    assert control_problem("ok\x1b") == (
        "holds the control character \\x1b at character 3; only newline and tab are allowed"
    )
    assert control_problem(RLO) is None and code_problem(RLO) is not None


# --- the door: JSON Lines import -------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A final demo rating with an edit (one revision), as a JSON object."""
    folder = tmp_path_factory.mktemp("text") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 40, seed=2)
    rating = next(
        r for r in Store.open(folder).iter_all(statuses=STATUSES)
        if r.status == "final" and r.revisions
    )  # fmt: skip
    data: dict[str, Any] = json.loads(rating.model_dump_json())
    return data


def import_one(tmp_path: Path, data: dict[str, Any]) -> tuple[int, str, Path]:
    path = tmp_path / "r.jsonl"
    path.write_text("\n" + json.dumps(data) + "\n")
    folder = tmp_path / "data"
    code, out = run("ratings", "import", str(path), "--data", str(folder))
    if code:
        assert not folder.exists()  # nothing stored on refusal
    return code, out, path


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(base))
    for dotted, value in changes.items():
        node = data
        *parts, last = dotted.split("__")
        for part in parts:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("where", "value", "named"),
    [
        ("notes", "fine" + SCREEN_CLEAR, "notes: holds the control character \\x1b at character 5"),
        ("notes", "bell\x07", "notes: holds the control character \\x07"),
        ("now_moments", [{"text": "a\x00b"}], "now_moments[0].text: holds the control character"),
        ("session__dyad", "EC0417" + RLO, "fields.dyad: holds the bidirectional control \\u202e"),
        ("rater", "R" + RLO + "P", "rater: holds the bidirectional control \\u202e"),
        ("notes", "x" * (MAX_NOTES + 1), f"notes: is {MAX_NOTES + 1:,} characters long; at most"),
        ("session__session_number", MAX_INT + 1, "fields.session_number: "),
    ],
)
def test_control_characters_and_limits_are_refused_with_line_and_field(
    tmp_path: Path, base: dict[str, Any], where: str, value: Any, named: str
) -> None:
    code, out, path = import_one(tmp_path, changed(base, **{where: value}))
    assert code == 1 and f"{path}:2: {named}" in out
    assert "\x1b" not in out and "\x07" not in out and RLO not in out


def test_a_bidi_control_in_free_text_is_stored_and_shown_escaped(
    tmp_path: Path, base: dict[str, Any]
) -> None:
    data = changed(base, notes="reads " + RLO + "backwards")
    code, out, _ = import_one(tmp_path, data)
    assert code == 0, out
    code, out = run("ratings", "show", data["id"][:8], "--data", str(tmp_path / "data"))
    assert code == 0 and "reads \\u202ebackwards" in out and RLO not in out


@pytest.mark.parametrize(
    ("where", "value", "named"),
    [
        (
            "answers",
            {"narration": {"value": 99}},
            "revisions[0].previous.items.narration: expected",
        ),
        ("session__dyad", '=HYPERLINK("x")', "revisions[0].previous.fields.dyad: "),
        ("notes", TITLE, "revisions[0].previous.notes: holds the control character \\x1b"),
        ("rater", "x" * 201, "revisions[0].previous.rater: is 201 characters long"),
    ],
)
def test_every_revision_inside_an_imported_rating_is_validated(
    tmp_path: Path, base: dict[str, Any], where: str, value: Any, named: str
) -> None:
    code, out, path = import_one(
        tmp_path, changed(base, **{f"revisions__0__previous__{where}": value})
    )
    assert code == 1 and f"{path}:2: {named}" in out


def test_who_and_why_of_a_revision_are_checked(tmp_path: Path, base: dict[str, Any]) -> None:
    code, out, path = import_one(tmp_path, changed(base, revisions__0__reason="why" + TITLE))
    assert code == 1 and f"{path}:2: revisions[0].reason: holds the control character" in out


# --- the door: instrument files ---------------------------------------------------------------


def test_a_control_character_in_an_instrument_is_refused_with_key_and_line() -> None:
    text = MINIMAL_TOML.replace('title = "Mini instrument"', 'title = "Mini\\u001b[2J"')
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "mini.toml")
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("title", 3)
    assert problem.message.startswith("holds the control character \\x1b at character 5")


def test_a_bidi_control_is_refused_in_a_code_and_allowed_in_a_label() -> None:
    coded = MINIMAL_TOML.replace('code = "not_observed"', 'code = "not_observed"\n') + (
        '\n[[fields]]\nkey = "place"\nlabel = "Place"\ntype = "single_choice"\n'
        f'choices = [{{ code = "h{RLO}", label = "Home" }}]\n'
    )
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(coded, "mini.toml")
    assert any(p.path == "fields[3].choices[0].code" for p in caught.value.problems)
    labelled = MINIMAL_TOML.replace('title = "Mini instrument"', f'title = "Mini {RLO}x"')
    assert parse_instrument(labelled, "mini.toml").title == f"Mini {RLO}x"


# --- everything printed is escaped, data stored before the rules included ----------------------


@pytest.fixture
def hostile_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Rating]:
    """A data folder holding a rating with ESC, BEL and U+202E in every text, stored the way
    data from before these rules was (the store's check switched off)."""
    import rating_tui.store.records as records

    folder = tmp_path / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 5, seed=4)
    store = Store.open(folder)
    rating = next(iter(store.iter_all()))
    hostile = rating.replace(
        id=str(uuid.uuid4()),
        notes="n" + SCREEN_CLEAR + TITLE,
        rater="R" + RLO + "P",
        session=rating.session | {"dyad": "D" + SCREEN_CLEAR, "rater": "R" + RLO + "P"},
        now_moments=[NowMoment(text="m" + TITLE)],
    )
    with monkeypatch.context() as patch:
        patch.setattr(records, "validate_rating", lambda *a, **k: [])
        store.import_ratings([hostile], {hostile.instrument.ref: builtin_instrument()})
    stored = Store.open(folder).get(hostile.id)
    assert stored.notes == hostile.notes
    return folder, stored


def test_ratings_show_and_list_escape_stored_text(hostile_folder: tuple[Path, Rating]) -> None:
    folder, rating = hostile_folder
    code, out = run("ratings", "show", rating.id, "--data", str(folder))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and RLO not in out
    assert "n\\x1b[2J\\x1b]0;owned\\x07" in out and "m\\x1b]0;owned\\x07" in out
    code, out = run("ratings", "list", "--data", str(folder), "--status", rating.status)
    assert code == 0 and "\x1b" not in out and RLO not in out and "D\\x1b[2J"[:6] in out


def test_the_apps_rating_line_escapes_stored_text(hostile_folder: tuple[Path, Rating]) -> None:
    from rating_tui.instruments.catalogue import default_sources, discover

    _, rating = hostile_folder
    line = rating_line(rating, discover(default_sources())).plain
    assert "\x1b" not in line and RLO not in line and "R\\u202eP" in line
