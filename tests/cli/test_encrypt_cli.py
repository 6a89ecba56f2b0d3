"""Issue 16 through the commands: `encrypt`, `passphrase`, and every command reading an
encrypted folder with `$RATING_TUI_PASSPHRASE`, refusing at once without it (never waiting on
a closed stdin), and an export identical byte for byte to the one before encryption."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rating_tui import passphrase
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store, crypto
from tests.cli.demo_folders import copy_of, demo_folder
from tests.cli.test_ratings_cli import run

SECRET = "correct horse"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(crypto, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})
    monkeypatch.delenv(passphrase.ENV, raising=False)
    monkeypatch.delenv("RATING_TUI_NEW_PASSPHRASE", raising=False)
    crypto.forget_keys()
    yield
    passphrase.set_reader(None)
    crypto.forget_keys()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 80, seed=6)


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    return copy_of(demo, tmp_path)


def _export(folder: Path, out: Path) -> bytes:
    code, _, err = run("export", "--format", "jsonl", "-o", str(out), "--data", str(folder))
    assert code == 0, err
    return out.read_bytes()


def test_encrypt_then_export_with_the_passphrase_gives_the_same_bytes(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _export(copy, tmp_path / "before.jsonl")
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", SECRET)
    code, out, err = run("encrypt", "--data", str(copy))
    assert code == 0, err
    assert "Encrypted" in out and "plain files" in out
    code, _, err = run(
        "export", "--format", "jsonl", "-o", str(tmp_path / "x"), "--data", str(copy)
    )
    assert code == 1 and "needs its passphrase" in err and "Nothing was read" in err
    monkeypatch.setenv(passphrase.ENV, SECRET)
    crypto.forget_keys()
    assert _export(copy, tmp_path / "after.jsonl") == before
    _, _, err = run("export", "-o", str(tmp_path / "after.csv"), "--data", str(copy))
    assert "this export is a plain file" in err
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 0, out
    code, out, _ = run("encrypt", "--data", str(copy))
    assert code == 0 and "already encrypted; nothing was changed" in out


def test_without_a_passphrase_commands_refuse_at_once_on_a_closed_stdin(copy: Path) -> None:
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    code, _, err = run("encrypt", "--data", str(copy), stdin="")
    assert code == 1 and "not a terminal" in err and "Nothing was changed" in err
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def test_a_wrong_passphrase_and_a_flipped_byte(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", SECRET)
    assert run("encrypt", "--data", str(copy))[0] == 0
    crypto.forget_keys()
    monkeypatch.setenv(passphrase.ENV, "wrong")
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    for command in (["ratings", "list"], ["doctor"], ["audit"], ["passphrase"]):
        code, _, err = run(*command, "--data", str(copy))
        assert code == 1 and "passphrase is wrong" in err, (command, err)
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
    month = sorted((copy / "ratings").glob("20*.json"))[0]
    raw = bytearray(month.read_bytes())
    raw[-5] ^= 0x40
    month.write_bytes(bytes(raw))
    monkeypatch.setenv(passphrase.ENV, SECRET)
    crypto.forget_keys()
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and str(month) in out and "does not verify" in out


def test_passphrase_changes_the_wrapping_only(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", SECRET)
    assert run("encrypt", "--data", str(copy))[0] == 0
    monkeypatch.setenv(passphrase.ENV, SECRET)
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", "battery staple")
    code, out, err = run("passphrase", "--data", str(copy))
    assert code == 0 and "only store.json" in out, err
    crypto.forget_keys()
    code, _, err = run("ratings", "list", "--data", str(copy))
    assert code == 1 and "passphrase is wrong" in err
    monkeypatch.setenv(passphrase.ENV, "battery staple")
    crypto.forget_keys()
    assert run("ratings", "list", "--data", str(copy))[0] == 0


def test_merge_between_plain_and_encrypted_folders_stores_as_the_target_is(
    copy: Path, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", SECRET)
    assert run("encrypt", "--data", str(copy))[0] == 0
    monkeypatch.setenv(passphrase.ENV, SECRET)
    crypto.forget_keys()
    plain = tmp_path / "plain"
    code, _, err = run("merge", str(copy), "--into", str(plain))  # encrypted -> new plain
    assert code == 0, err
    assert crypto.codec_for(plain).name == "plain"
    ids = {r.id for r in Store.open(demo).iter_all(statuses=("draft", "final", "voided"))}
    assert {r.id for r in Store.open(plain).iter_all(statuses=("draft", "final", "voided"))} == ids
    fresh = tmp_path / "fresh"
    fill_demo_data(Store.open(fresh), builtin_instrument(), 5, seed=9)
    code, _, err = run("merge", str(fresh), "--into", str(copy))  # plain -> encrypted
    assert code == 0, err
    merged = Store.open(copy)
    assert len(list(merged.iter_all(statuses=("draft", "final", "voided")))) > len(ids)
    dyads = {str(r.session.get("dyad")) for r in Store.open(fresh).iter_all()}
    for path in copy.rglob("*"):
        if path.is_file():
            assert not any(d.encode() in path.read_bytes() for d in dyads), path
    assert run("doctor", "--data", str(copy))[0] == 0


def test_the_dyad_commands_work_in_an_encrypted_folder_and_keep_the_roster_sealed(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("dyads", "add", "ZQ0001", "--data", str(copy))[0] == 0
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", SECRET)
    code, out, err = run("encrypt", "--data", str(copy))
    assert code == 0 and "left as it is" not in err, err
    crypto.forget_keys()
    code, _, err = run("dyads", "list", "--data", str(copy), stdin="")
    assert code == 1 and "needs its passphrase" in err
    monkeypatch.setenv(passphrase.ENV, SECRET)
    assert run("dyads", "add", "ZQ0002", "--data", str(copy))[0] == 0
    code, out, _ = run("dyads", "list", "--data", str(copy))
    assert code == 0 and out.split() == ["ZQ0001", "ZQ0002"]
    roster = (copy / "dyads.txt").read_bytes()
    assert crypto.is_sealed(roster) and b"ZQ000" not in roster
    assert (copy / "dyads.txt").stat().st_mode & 0o077 == 0


def test_encrypt_without_a_new_passphrase_names_the_variable_that_gives_one(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The current passphrase's variable set, no terminal: the refusal names the new one's."""
    monkeypatch.setenv(passphrase.ENV, SECRET)
    code, _, err = run("encrypt", "--data", str(copy))
    assert code == 1, err
    assert "set RATING_TUI_NEW_PASSPHRASE" in err
    assert "RATING_TUI_PASSPHRASE is set, but it gives the current passphrase" in err
    assert "Nothing was changed" in err
    assert json.loads((copy / "store.json").read_bytes())["codec"] == "plain"


def test_doctor_flags_a_plain_roster_in_an_encrypted_folder(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster copied back in plain (from an old backup, say) left its dyad codes readable
    without the passphrase, and doctor called the folder healthy."""
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", SECRET)
    assert run("encrypt", "--data", str(copy))[0] == 0
    monkeypatch.setenv(passphrase.ENV, SECRET)
    assert run("dyads", "add", "ZQ0001", "--data", str(copy))[0] == 0
    code, out, err = run("doctor", "--data", str(copy))
    assert code == 0 and "roster" not in out, out + err
    (copy / "dyads.txt").write_text("ZQ0001\n")
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1
    assert f"warning: {copy / 'dyads.txt'}: the roster is plain text in an encrypted folder" in out
    assert "rating-tui encrypt" in out and "Not healthy: 0 error(s), 1 warning(s)." in out
    assert run("encrypt", "--data", str(copy))[0] == 0  # what the warning says to do
    assert crypto.is_sealed((copy / "dyads.txt").read_bytes())
    assert run("doctor", "--data", str(copy))[0] == 0


def test_doctor_names_a_roster_line_that_is_not_a_code(copy: Path) -> None:
    (copy / "dyads.txt").write_text("EC0417\nnot a code!\n")
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and f"error: {copy / 'dyads.txt'}: 2: " in out, out


@pytest.mark.parametrize(
    ("secret", "said"),
    [("   ", "is only spaces"), ("correct horse ", "starts or ends with a space")],
)
def test_a_new_passphrase_of_spaces_or_with_a_space_at_an_end_is_refused(
    copy: Path, monkeypatch: pytest.MonkeyPatch, secret: str, said: str
) -> None:
    """Before: "   " was taken and the folder encrypted with it, as was "correct horse " (the
    space at its end lost when typed again: the ratings locked away)."""
    store_json = (copy / "store.json").read_bytes()
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", secret)
    code, _, err = run("encrypt", "--data", str(copy))
    assert code == 1 and f"$RATING_TUI_NEW_PASSPHRASE {said}" in err
    assert "Nothing was changed" in err
    assert (copy / "store.json").read_bytes() == store_json


def test_passphrase_of_a_plain_folder_is_refused_before_one_is_asked(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It asked for the current passphrase of a folder that has none (a user would type one
    and believe the folder had it), and only then said the folder is not encrypted."""
    asked: list[str] = []
    monkeypatch.setattr(passphrase, "ask", lambda prompt: asked.append(prompt) or "x")
    code, _, err = run("passphrase", "--data", str(copy))
    assert code == 1 and asked == []
    assert f"{copy} is not encrypted, so it has no passphrase: run `rating-tui encrypt`" in err


@pytest.mark.parametrize(
    "command",
    [
        ["ratings", "list"],
        ["doctor"],
        ["export", "--format", "jsonl", "-o", "-"],
        ["agreement"],
    ],
)
def test_a_passphrase_set_for_a_plain_folder_is_said_to_be_unused(
    copy: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """Whoever set $RATING_TUI_PASSPHRASE may take the folder for encrypted: every command
    that opens a plain folder says it is not, once, and does what it does anyway."""
    code, _, err = run(*command, "--data", str(copy))
    assert code == 0, err
    assert "not encrypted" not in err  # unset: nothing to say
    monkeypatch.setenv(passphrase.ENV, SECRET)
    code, _, err = run(*command, "--data", str(copy))
    assert code == 0, err
    assert err.count(f"{passphrase.ENV} is set, but {copy} is not encrypted") == 1, err
    assert "stored as plain text" in err and "rating-tui encrypt" in err


def test_a_passphrase_set_for_an_encrypted_folder_is_not_remarked_on(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATING_TUI_NEW_PASSPHRASE", SECRET)
    assert run("encrypt", "--data", str(copy))[0] == 0
    monkeypatch.setenv(passphrase.ENV, SECRET)
    code, _, err = run("ratings", "list", "--data", str(copy))
    assert code == 0 and "not encrypted" not in err, err
