"""The `instruments` commands through Typer's runner: output, exit codes, clean errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rating_tui.instruments.loader import load_instrument
from rating_tui.paths import user_instruments_dir
from tests.cli.invoke import run
from tests.conftest import BUILTIN_ID, REPO

BUILTIN_FILE = REPO / "instruments" / f"{BUILTIN_ID}.toml"


def bump(text: str, version: str = "9.9.9") -> str:
    return text.replace('version = "0.2.0"', f'version = "{version}"', 1)


def test_list_shows_the_builtin_instrument() -> None:
    code, out, _ = run("instruments", "list")
    assert code == 0
    assert BUILTIN_ID in out and "0.1.0" in out and "built-in" in out
    assert "│     7 │" in out or " 7 " in out


def test_list_includes_user_and_extra_folders_and_mentions_broken_files(tmp_path: Path) -> None:
    user = user_instruments_dir()
    user.mkdir(parents=True)
    (user / "mine.toml").write_text(bump(BUILTIN_FILE.read_text(), "2.0.0"))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "broken.toml").write_text("id = [")
    code, out, err = run("--instruments", str(extra), "instruments", "list")
    assert code == 0
    assert "2.0.0" in out and "user" in out
    assert "1 file(s) could not be used" in err


def test_show_renders_fields_items_and_anchors() -> None:
    code, out, _ = run("instruments", "show", BUILTIN_ID)
    assert code == 0
    for text in (
        "Session fields",
        "Dyad code",
        "Narration of the experience",
        "Absent",
        "Central",
        "10.1002/imhj.20216",
        "Now moments",
    ):
        assert text in out, text


def test_show_picks_newest_version_or_the_one_asked(tmp_path: Path) -> None:
    (tmp_path / "newer.toml").write_text(bump(BUILTIN_FILE.read_text(), "0.10.0"))
    code, out, _ = run("--instruments", str(tmp_path), "instruments", "show", BUILTIN_ID)
    assert code == 0 and f"{BUILTIN_ID}@0.10.0" in out
    code, out, _ = run("--instruments", str(tmp_path), "instruments", "show", f"{BUILTIN_ID}@0.1.0")
    assert code == 0 and f"{BUILTIN_ID}@0.1.0" in out


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("nope", "no instrument with id 'nope'"),
        (f"{BUILTIN_ID}@7.0.0", "has no version 7.0.0"),
        (f"{BUILTIN_ID}@", "names no version: give ID@VERSION"),  # was: the newest, unsaid
    ],
)
def test_show_unknown_instrument_is_a_clear_error(ref: str, message: str) -> None:
    code, out, err = run("instruments", "show", ref)
    assert code == 1
    assert message in " ".join(err.split())
    assert "Traceback" not in out + err


def test_validate_without_paths_checks_everything_found() -> None:
    code, out, _ = run("instruments", "validate")
    assert code == 0
    assert f"{BUILTIN_ID}@0.2.0 (7 items" in out
    assert "0 problem(s)" in out


def test_validate_reports_every_problem_with_file_line_and_path(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(bump(BUILTIN_FILE.read_text()))
    bad = tmp_path / "bad.toml"
    text = BUILTIN_FILE.read_text().replace('scale = "presence"', 'scale = "presense"', 1)
    text = text.replace('scale = "presence"', 'scale = "absence"', 1)
    bad.write_text(text)
    typo = tmp_path / "typo.toml"
    typo.write_text(BUILTIN_FILE.read_text().replace("required = true", "requird = true", 1))
    code, out, err = run("instruments", "validate", str(good), str(bad), str(typo))
    assert code == 1
    assert "good.toml" in out and "ok" in out
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert len(lines) == 3, err
    first = text.splitlines().index('scale = "presense"') + 1
    second = text.splitlines().index('scale = "absence"') + 1
    assert f"bad.toml:{first}: items[0].scale: 'presense' is not a scale" in err
    assert f"bad.toml:{second}: items[1].scale: 'absence' is not a scale" in err
    assert "typo.toml" in err and "did you mean 'required'" in err
    assert "3 problem(s) in 2 file(s)" in err


def test_validate_a_folder_and_a_conflicting_copy(tmp_path: Path) -> None:
    text = BUILTIN_FILE.read_text().replace("Absent", "Not there", 1)  # same version, new content
    (tmp_path / "copy.toml").write_text(text)
    code, out, err = run("instruments", "validate", str(tmp_path))
    assert code == 1
    assert f"claims {BUILTIN_ID}@0.2.0" in err and "new version number" in err
    assert "copy.toml" not in out  # not also called "ok", nor counted as valid
    assert "1 file(s) read: 0 valid instrument(s), 1 problem(s) in 1 file(s)" in err


def test_a_file_named_toml_in_upper_case_is_named_not_passed_over(tmp_path: Path) -> None:
    """A folder's Study.TOML was passed over without a word ('0 file(s) read', or its
    instrument missing from the list); `instruments new` already refuses such a name."""
    (tmp_path / "Study.TOML").write_text(bump(BUILTIN_FILE.read_text()))
    code, _, err = run("instruments", "validate", str(tmp_path))
    assert code == 1
    said = "Study.TOML: not read: instrument files end in .toml, in lower case; rename it to "
    assert said + "Study.toml" in err
    code, _, err = run("--instruments", str(tmp_path), "instruments", "list")
    assert code == 0 and "1 file(s) could not be used" in err


def test_validate_identical_copy_of_builtin_is_fine(tmp_path: Path) -> None:
    shutil.copy(BUILTIN_FILE, tmp_path / "same.toml")
    code, _, _ = run("instruments", "validate", str(tmp_path / "same.toml"))
    assert code == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'id = "x"\nversion = [', "not valid TOML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not UTF-8"),
        (b"title = 'a'\x00", "NUL bytes"),
        (b"", "required key is missing"),
    ],
)
def test_validate_bad_files_exit_1_with_a_message(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "f.toml"
    path.write_bytes(content)
    code, out, err = run("instruments", "validate", str(path))
    assert code == 1
    assert expected in err
    assert "Traceback" not in out + err


def test_validate_huge_file_and_folder_named_toml_and_missing_path(tmp_path: Path) -> None:
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    code, _, err = run("instruments", "validate", str(huge), str(tmp_path / "missing.toml"))
    assert code == 1
    assert "52.4 MB" in err and "at most 1000 kB" in err
    assert "no such file or folder" in err
    code, _, err = run("instruments", "validate", str(tmp_path))
    assert "dir.toml: is a folder" in err


def test_validate_empty_folder_fails(tmp_path: Path) -> None:
    code, _, err = run("instruments", "validate", str(tmp_path))
    assert code == 1 and "no instrument files found" in err


def test_an_instruments_folder_without_instrument_files_is_named(tmp_path: Path) -> None:
    """--instruments naming a folder with no *.toml (a data folder, by mistake) gave no
    instrument without a word: `instruments list` and every command read as if it were not
    given."""
    code, _, err = run("--instruments", str(tmp_path), "instruments", "list")
    assert code == 0 and "1 file(s) could not be used" in err
    code, _, err = run("--instruments", str(tmp_path), "instruments", "validate")
    assert code == 1
    assert f"{tmp_path}: holds no instrument file (*.toml) (given as --instruments)" in err


def test_new_writes_a_starter_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "study.toml"
    code, out, _ = run(
        "instruments", "new", str(target), "--id", "study-x", "--title", 'A "quoted" title'
    )
    assert code == 0 and "Wrote" in out
    loaded = load_instrument(target)
    assert loaded.instrument.id == "study-x"
    assert loaded.instrument.title == 'A "quoted" title'
    assert target.read_text().startswith("# A rating-tui instrument")
    code, _, _ = run("instruments", "validate", str(target))
    assert code == 0


def test_new_refuses_to_overwrite_and_rejects_bad_ids(tmp_path: Path) -> None:
    target = tmp_path / "x.toml"
    target.write_text("keep me")
    code, _, err = run("instruments", "new", str(target))
    assert code == 1 and "already exists" in err
    assert target.read_text() == "keep me"
    code, _, err = run("instruments", "new", str(tmp_path / "y.toml"), "--id", "Bad Id")
    assert code == 1 and "id" in err and not (tmp_path / "y.toml").exists()
    code, _, err = run("instruments", "new", str(tmp_path))
    assert code == 1 and "is a folder" in err


def test_schema_is_json_schema_of_the_format(tmp_path: Path) -> None:
    code, out, _ = run("instruments", "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"id", "version", "items", "fields"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    target = tmp_path / "s.json"
    code, _, err = run("instruments", "schema", "-o", str(target))
    assert code == 0 and json.loads(target.read_text()) == schema
    assert "replaced" not in err
    code, _, err = run("instruments", "schema", "-o", str(target))  # a file there: said
    assert code == 0 and f"Wrote {target} (it replaced the file that was there)" in err


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("rating-tui ")
    code, out, _ = run("instruments", "--help")
    assert code == 0 and "validate" in out and "schema" in out


def test_unknown_command_is_a_usage_error() -> None:
    code, out, err = run("instrumnts")
    assert code == 2
    assert "Traceback" not in out + err


def test_main_builds_only_the_command_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """`main` registers one command (faster start); the result is the same command."""
    import sys

    from rating_tui import cli

    built: list[tuple[str | None, str | None]] = []
    real = cli.create_app

    def spy(only: str | None = None, sub: str | None = None):  # type: ignore[no-untyped-def]
        built.append((only, sub))
        return real(only, sub)

    monkeypatch.setattr(cli, "create_app", spy)
    monkeypatch.setattr(sys, "argv", ["rating-tui", "--data", "x", "instruments", "list"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 0 and built == [("instruments", "list")]
    assert cli._command_words(["--instruments", "d", "--data", "x"]) == []
    assert cli._command_words(["--version"]) == []
    assert cli._command_words(["ratings", "--help"]) == ["ratings"]
    assert cli._command_words(["instruments", "validate", "a.toml"]) == ["instruments", "validate"]


def test_a_group_built_for_one_subcommand_holds_only_it() -> None:
    """`instruments validate` does not build (or import) the other instrument commands; an
    unknown subcommand gets the whole group, so Typer can list what exists."""
    import typer.main

    from rating_tui.cli.instruments_cmd import instruments_app

    def names(only: str | None) -> list[str]:
        return sorted(typer.main.get_group(instruments_app(only)).commands)

    assert names("validate") == ["validate"]
    everything = names(None)
    assert {"list", "show", "validate", "new", "schema", "import-redcap"} <= set(everything)
    assert names("valdate") == everything


def test_a_misspelt_subcommand_is_named_with_the_commands_that_exist(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from rating_tui import cli

    monkeypatch.setattr(sys, "argv", ["rating-tui", "instruments", "valdate"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and "valdate" in err and "validate" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "command",
    [[], ["export"], ["merge"], ["agreement"], ["calibrate"], ["doctor"], ["demo-data"],
     ["demo"], ["ratings", "list"], ["ratings", "import"], ["instruments", "new"],
     ["instruments", "schema"], ["instruments", "import-redcap"]],
)  # fmt: skip
def test_options_in_help_name_their_values_in_words(command: list[str]) -> None:
    """FOLDER, DATE, ID[@VERSION] rather than Typer's type names; flags show none."""
    code, out, _ = run(*command, "--help")
    assert code == 0
    option_lines = [line for line in out.splitlines() if line.lstrip("│ ").startswith("--")]
    assert option_lines
    for line in option_lines:
        if "--help" not in line:
            assert not re.search(r"<[a-zA-Z][\w\[\], ]*>", line), line  # e.g. <list[Path]>


def test_show_names_the_files_that_could_not_be_used(tmp_path: Path) -> None:
    """A file that claims the version shown with other content, or the instrument asked for
    in a broken file: `show` said nothing of them (the one shown may not be the file edited)."""
    extra = tmp_path / "extra"
    extra.mkdir()
    text = bump(BUILTIN_FILE.read_text(), "2.0.0")
    (extra / "a.toml").write_text(text)
    (extra / "b.toml").write_text(text.replace('title = "Seven', 'title = "Eight', 1))
    code, out, err = run("--instruments", str(extra), "instruments", "show", f"{BUILTIN_ID}@2.0.0")
    assert code == 0 and "2.0.0" in out
    assert "note: 1 instrument file(s) could not be used (" in err and "b.toml" in err
    (extra / "mine.toml").write_text('id = "mine"\nversion = [')
    code, _, err = run("--instruments", str(extra), "instruments", "show", "mine")
    assert code == 1 and "no instrument with id 'mine'" in err and "mine.toml" in err
