"""Issue 16 through the commands: `rating-tui audit` exports who changed what, when and why,
and `doctor` names a rating changed by hand in a plain folder (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rating_tui.store import Store
from tests.cli.demo_folders import copy_of, demo_folder
from tests.cli.test_ratings_cli import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 60, seed=4)


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    return copy_of(demo, tmp_path)


def test_audit_exports_every_change_with_who_when_and_why(demo: Path) -> None:
    code, out, _ = run("audit", "--data", str(demo), "--json")
    assert code == 0
    document = json.loads(out)
    changes = document["changes"]
    stored = {r.id for r in Store.open(demo).iter_all(statuses=("draft", "final", "voided"))}
    assert {c["rating"] for c in changes} == stored
    actions = {c["action"] for c in changes}
    assert {"created", "update", "void"} <= actions, actions
    voids = [c for c in changes if c["action"] == "void"]
    assert all(c["by"] and c["reason"] for c in voids)
    code, text, _ = run("audit", "--data", str(demo))
    assert code == 0 and f"{len(changes)} change(s)" in text and voids[0]["rating"] in text


def test_doctor_names_a_value_changed_by_hand_and_its_file(copy: Path) -> None:
    month = sorted((copy / "ratings").glob("20*.json"))[1]
    data = json.loads(month.read_bytes())
    rating_id = next(iter(data["ratings"]))
    data["ratings"][rating_id]["notes"] = "edited in a text editor"
    month.write_text(json.dumps(data))
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1
    [line] = [x for x in out.splitlines() if rating_id in x]
    assert str(month) in line and "changed outside rating-tui" in line


def test_a_folder_without_a_log_is_said_not_failed(copy: Path) -> None:
    (copy / "audit.jsonl").unlink()
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 0 and "no audit log yet" in out
    code, _, err = run("audit", "--data", str(copy))
    assert code == 1 and "no audit log yet" in err and "Traceback" not in err
