"""Issue 10 through the commands: an import is all or nothing and says which, doctor counts
ratings and calls missing ones an error, data files of the wrong shape or type are named in
one message (never a traceback), and `doctor --repair` can repair what it reports."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from rating_tui.ratings import STATUSES, Rating
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.cli.demo_folders import copy_of, demo_folder
from tests.cli.test_ratings_cli import lines, run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory, 120, seed=3)


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    return copy_of(demo, tmp_path)


def _ratings(folder: Path) -> list[Rating]:
    return list(Store.open(folder).iter_all(statuses=STATUSES))


def test_an_import_beside_a_damaged_month_says_nothing_was_imported(
    copy: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"
    ratings = _ratings(copy)
    months = sorted((copy / "ratings").glob("20*.json"))
    months[0].write_bytes(months[0].read_bytes()[:100])
    source = tmp_path / "in.jsonl"
    source.write_text(lines(*ratings))
    before = {p: p.read_bytes() for p in copy.rglob("*.json")}
    code, _, err = run("ratings", "import", str(source), "--data", str(copy))
    assert code == 1 and "nothing was imported" in err and str(months[0]) in err
    assert {p: p.read_bytes() for p in copy.rglob("*.json")} == before
    code, out, _ = run("ratings", "import", str(source), "--data", str(fresh), "--accept-warnings")
    assert code == 0 and f"{len(ratings)} added" in out


def test_doctor_calls_ratings_gone_from_a_month_an_error_naming_them(copy: Path) -> None:
    month = sorted((copy / "ratings").glob("20*.json"))[2]
    ids = list(json.loads(month.read_bytes())["ratings"])
    month.write_text("{}")
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and "Healthy" not in out and "harmless" not in out
    assert f"{len(ids)} rating(s) stored in this month are missing" in out
    assert all(i in out for i in sorted(ids)[:10])


def test_wrong_shapes_are_named_by_every_command_never_a_traceback(copy: Path) -> None:
    registry = copy / "instruments.json"
    data = json.loads(registry.read_bytes())
    data["instruments"]["x@1"] = 5
    registry.write_text(json.dumps(data))
    for args in (["ratings", "list"], ["doctor"]):
        code, out, err = run(*args, "--data", str(copy))
        assert code == 1 and str(registry) in out + err and "'x@1'" in out + err


def test_an_index_entry_that_is_a_string_is_shown_reported_and_repaired(copy: Path) -> None:
    rating = _ratings(copy)[0]
    bucket = copy / "index" / f"{rating.id[:2]}.json"
    data = json.loads(bucket.read_bytes())
    data["ids"][rating.id] = "2024-01"
    bucket.write_text(json.dumps(data))
    code, out, _ = run("ratings", "show", rating.id, "--data", str(copy))
    assert code == 0 and rating.id in out
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 1 and rating.id in out and "found str" in out
    code, out, _ = run("doctor", "--repair", "--data", str(copy))
    assert code == 0 and "Healthy" in out


# --- the instrument travels with the data --------------------------------------------------

SAMPLE = Path(__file__).parent.parent / "unit" / "store" / "sample_instrument.toml"


def test_export_uses_the_kept_instrument_when_its_file_is_lost_or_edited(
    tmp_path: Path,
) -> None:
    from rating_tui.instruments.loader import load_instrument
    from rating_tui.ratings import Answered, Missing

    folder = tmp_path / "instruments"
    folder.mkdir()
    toml = folder / "sample.toml"
    toml.write_text(SAMPLE.read_text())
    instrument = load_instrument(toml).instrument
    data = tmp_path / "data"
    store = Store.open(data)
    draft = Rating.new(instrument, "AB")
    draft = draft.replace(
        session=draft.session | {"dyad": "D001", "session_date": "2025-03-04", "session_number": 1},
        answers={
            "narration": Answered(value=3),
            "processing": Missing(missing="not_observed"),
            "past_present": Answered(value=1),
        },
    )
    rating = store.finalise(draft, instrument)
    assert len(list((data / "instrument-files").glob("*.json"))) == 1
    exported = tmp_path / "out.csv"

    def export() -> tuple[int, str, str]:
        return run("--instruments", str(folder), "export", "--data", str(data), "-o", str(exported))

    toml.unlink()  # the file is lost
    code, _, err = export()
    assert code == 0, err
    assert rating.id in exported.read_text()
    toml.write_text(SAMPLE.read_text().replace("Sample process rating", "Edited title"))
    code, _, err = export()  # edited without a new version
    assert code == 0, err
    assert rating.id in exported.read_text()
    code, out, _ = run("--instruments", str(folder), "doctor", "--data", str(data))
    assert code == 1 and "edited without a new version number" in out


def _foreign(folder: Path, seed: int) -> list[Rating]:
    """Demo ratings of other dyads than the folder's (so that the import's checks of
    sessions already rated have nothing to say)."""
    instrument = builtin_instrument()
    fill_demo_data(Store.open(folder), instrument, 40, seed=seed)
    key = instrument.key_for("dyad")
    assert key is not None
    return [
        r.replace(session=r.session | {key: "K" + str(r.session[key])[1:]})
        for r in _ratings(folder)
    ]


def test_an_import_over_the_file_size_limit_stores_nothing_and_says_so(
    copy: Path, tmp_path: Path
) -> None:
    """`ulimit -f`: a write fails with EFBIG (File too large) part way through the import."""
    source = tmp_path / "in.jsonl"
    source.write_text(lines(*_foreign(tmp_path / "other", seed=9)))
    before = {r.id: r for r in _ratings(copy)}
    limit = 12 * 1024  # smaller than the month files the import writes

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "rating_tui",
            "ratings",
            "import",
            str(source),
            "--data",
            str(copy),
            "--accept-warnings",
        ],
        capture_output=True,
        text=True,
        preexec_fn=limited,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).parents[2])},
        check=False,
    )
    assert child.returncode == 1 and "Traceback" not in child.stderr
    assert "File too large" in child.stderr and "nothing was imported" in child.stderr
    assert {r.id: r for r in _ratings(copy)} == before
    code, out, _ = run("doctor", "--data", str(copy))
    assert code == 0, out
    code, out, _ = run("ratings", "import", str(source), "--data", str(copy), "--accept-warnings")
    assert code == 0 and "40 added" in out


def test_an_import_beside_a_registry_of_the_wrong_shape_names_it(
    copy: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(lines(*_foreign(tmp_path / "other", seed=9)))
    registry = copy / "instruments.json"
    data = json.loads(registry.read_bytes())
    data["instruments"]["x@1"] = 5
    registry.write_text(json.dumps(data))
    before = {p: p.read_bytes() for p in copy.rglob("*.json")}
    code, _out, err = run("ratings", "import", str(source), "--data", str(copy))
    assert code == 1 and str(registry) in err and "'x@1'" in err
    assert "nothing was imported" in err.lower() or "nothing was changed" in err.lower()
    assert {p: p.read_bytes() for p in copy.rglob("*.json")} == before
