"""`rating-tui agreement` and `rating-tui calibrate` through Typer's runner, on real data
folders of the built-in instrument."""

from __future__ import annotations

import csv
import io
import shutil
import stat
from pathlib import Path

import pytest
import typer

from rating_tui.cli import Settings
from rating_tui.cli.analysis_cmd import agreement, calibrate
from rating_tui.instruments.catalogue import Source, discover
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, Rating
from rating_tui.store import Store
from tests.cli.invoke import run
from tests.conftest import BUILTIN_ID, REPO

ITEMS = ("narration", "processing", "past_present", "modeling", "affective", "future", "reflective")
# Six sessions of dyad EC0417; RP is the gold rater, AB rates `processing` two points higher
# except in session 6, CD rates only sessions 1-3 and exactly like RP.
GOLD = [(1, 2, 3, 2, 1, 0, 4), (0, 1, 1, 2, 3, 1, 2), (2, 2, 4, 3, 1, 1, 3),
        (3, 0, 2, 1, 2, 2, 1), (4, 1, 0, 4, 0, 3, 2), (1, 3, 2, 0, 4, 4, 0)]  # fmt: skip

app = typer.Typer()


@app.callback()
def _root(ctx: typer.Context) -> None:
    ctx.obj = Settings()


app.command("agreement")(agreement)
app.command("calibrate")(calibrate)


@pytest.fixture(scope="module")
def builtin() -> Instrument:
    return discover([Source(REPO / "instruments", "built-in")]).get(BUILTIN_ID).instrument


def rating(ins: Instrument, number: int, rater: str, values: tuple[int | str, ...]) -> Rating:
    session = {"dyad": "EC0417", "session_date": f"2026-03-{number:02d}", "rater": rater}
    session |= {"session_number": number, "setting": "home", "present": ["mother", "infant"]}
    answers: dict[str, Answered | Missing] = {
        k: Missing(missing="not_observed") if v == "NO" else Answered(value=v)
        for k, v in zip(ITEMS, values, strict=True)
    }
    return Rating.new(ins, rater).replace(session=session | {"basis": "live"}, answers=answers)


@pytest.fixture
def data(tmp_path: Path, builtin: Instrument) -> Path:
    store = Store.open(tmp_path / "data")
    for number, gold in enumerate(GOLD, start=1):
        store.finalise(rating(builtin, number, "RP", gold), builtin)
        trainee = list(gold)
        trainee[1] = gold[1] + 2 if number < 6 else gold[1]
        store.finalise(rating(builtin, number, "AB", tuple(min(4, v) for v in trainee)), builtin)
        if number <= 3:
            store.finalise(rating(builtin, number, "CD", gold), builtin)
    store.save_draft(rating(builtin, 1, "EF", GOLD[1]), builtin)  # a draft: left out
    return tmp_path / "data"


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(), newline="")))


def test_agreement_table_and_csv_show_the_same_figures(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # a plain terminal
    out = tmp_path / "agreement.csv"
    code, stdout, err = run("agreement", "--data", str(data), "--csv", str(out))
    assert code == 0, err
    # per item: 6 ICC forms, 2 alphas, 2 pooled kappas, 2 kappas of the one pair (AB, RP)
    # sharing 5 or more sessions
    assert "read 15 final rating(s)" in err and f"wrote 84 row(s) to {out}" in err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = read_csv(out)
    assert {r["item"] for r in rows} == set(ITEMS)
    narration = [r for r in rows if r["item"] == "narration"]
    by = {(r["statistic"], r["scope"]): r for r in narration}
    # Six sessions by RP and AB, three of them by CD too: a fixed team with gaps.
    assert {r["design"] for r in narration} == {"fixed team with gaps"}
    one_way = by[("ICC(1,1)", "all sessions")]
    assert (one_way["recommended"], one_way["sessions"], one_way["n_raters"]) == ("1", "6", "3")
    # k0 = (15 values - (3 x 3^2 + 3 x 2^2) / 15) / (6 - 1) = 2.48 raters per session
    assert one_way["k"] == "2.4800"
    # Identical values: no variation within sessions, so no F interval, said in words.
    assert one_way["ci_method"] == "" and "no confidence interval" in one_way["note"]
    icc = by[("ICC(2,1)", "complete block")]
    # Narration: AB and RP agree exactly in all six sessions.
    assert (icc["value"], icc["sessions"], icc["raters"]) == ("1.000000", "6", "AB;RP")
    assert icc["interpretation"] == "excellent" and icc["recommended"] == "0"
    pooled = by[("kappa (linear)", "pooled pairs")]
    assert "pooled over 3 pair(s) of raters; 2 share(s) fewer than 5" in pooled["note"]
    assert by[("kappa (linear)", "pair")]["raters"] == "AB;RP"
    # The summary shows the recommended figure, APA-rounded, and a sentence naming the model.
    processing = next(r for r in rows if r["item"] == "processing" and r["recommended"] == "1")
    assert (processing["statistic"], processing["ci_method"]) == ("ICC(1,1)", "F")
    flat = " ".join(stdout.split())  # sentences wrap at 80 columns
    assert (
        "processing (fixed team with gaps): ICC(1,1), one-way random effects, absolute "
        "agreement, single rater = -.02, 95% CI [-.46, .69], 6 sessions rated by 2–3 of 3 "
        "raters (adjusted mean 2.48 raters per session); F-based interval." in flat
    )
    assert "caveat: the interval rests on 6 sessions (fewer than 20)" in flat
    assert "Koo & Li" in flat
    assert max(len(line) for line in stdout.splitlines()) <= 80
    assert "-0.00" not in stdout and "-.00" not in stdout


def test_details_list_every_statistic_and_pair(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, stdout, err = run("agreement", "--data", str(data), "--details")
    assert code == 0, err
    flat = " ".join(stdout.split())
    assert "ICC(3,k) block" in flat and "kappa (linear) pooled" in flat
    # Kappa per pair: a plain line per pair with both weightings (not a table row each).
    assert "processing: kappa per pair of raters sharing 5 or more sessions" in flat
    assert "pair sessions linear quadratic AB, RP 6" in flat
    assert "alpha (interval)" in flat and "session bootstrap" in flat
    assert max(len(line) for line in stdout.splitlines()) <= 80


def test_dyad_bootstrap_says_so(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    args = ("agreement", "--data", str(data), "--bootstrap", "dyad", "--csv", str(out))
    code, _stdout, err = run(*args)
    assert code == 0, err
    methods = {r["ci_method"] for r in read_csv(out) if r["ci_low"]}
    assert "dyad bootstrap" in methods and "session bootstrap" not in methods
    code, _, err = run("agreement", "--data", str(data), "--bootstrap", "cluster")
    assert code == 1 and "--bootstrap 'cluster': expected session or dyad" in err


def test_two_raters_chosen(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    code, stdout, err = run(
        "agreement", "--data", str(data), "--rater", "RP", "--rater", "CD", "--csv", str(out)
    )
    assert code == 0, err
    kappa = next(r for r in read_csv(out) if r["statistic"] == "kappa (quadratic)")
    # Three sessions are too few for any statistic: it says so instead of a number.
    assert kappa["value"] == "" and kappa["note"].startswith("too few sessions: 3 rated by a")
    assert "too few sessions" in stdout


def test_one_rater_chosen_is_refused_in_words(data: Path) -> None:
    # It printed "too few sessions: 0" for every item, as if the data were short.
    for args in (("--rater", "RP"), ("--rater", "RP", "--rater", "RP")):
        code, stdout, err = run("agreement", "--data", str(data), *args)
        assert code == 1
        assert "one rater agrees with no one" in err and "calibrate --gold RP" in err
        assert "too few sessions" not in stdout + err


def test_agreement_with_kappa_over_enough_sessions(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    code, _, err = run(
        "agreement", "--data", str(data), "--rater", "RP", "--rater", "AB", "--csv", str(out)
    )
    assert code == 0, err
    rows = {(r["item"], r["statistic"], r["scope"]): r for r in read_csv(out)}
    assert rows[("narration", "kappa (linear)", "pair")]["value"] == "1.000000"
    assert rows[("processing", "kappa (linear)", "pair")]["raters"] == "AB;RP"
    assert rows[("narration", "ICC(2,1)", "all sessions")]["recommended"] == "1"  # crossed


def test_calibrate_names_the_divergent_item(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    code, stdout, err = run("calibrate", "--data", str(data), "--gold", "RP", "--csv", str(out))
    assert code == 0, err
    assert "AB against RP" in stdout and "CD against RP" in stdout
    assert "AB diverges most on: processing" in stdout and "rates higher than RP" in stdout
    assert "No item diverges: CD is close to RP on every item, over the" in " ".join(stdout.split())
    rows = read_csv(out)
    ab = {r["item"]: r for r in rows if r["rater"] == "AB"}
    assert ab["processing"]["sessions"] == "6"
    assert ab["processing"]["divergent"] == "1"
    assert ab["processing"]["note"] == "diverges most (higher)"
    assert ab["narration"]["pct_exact"] == "100.00" and ab["narration"]["note"] == "close"
    code, stdout, _ = run("calibrate", "--data", str(data), "--gold", "RP", "--rater", "CD")
    assert code == 0 and "AB against" not in stdout and "CD against RP" in stdout


def test_date_and_instrument_filters(data: Path) -> None:
    base = ("calibrate", "--gold", "RP", "--data", str(data))
    code, stdout, err = run(*base, "--from", "2026-03-04", "--to", "2026-03-05")
    assert code == 0 and "read 4 final rating(s)" in err, err
    said = " ".join(stdout.split())
    assert "AB against RP: paris-2009-seven-concepts; 2 of AB's 2 session(s) were rated" in said
    code, _, err = run(*base, "--instrument", f"{BUILTIN_ID}@0.2.0", "--dyad", "EC0417")
    assert code == 0 and "read 15 final rating(s)" in err, err
    code, _, err = run(*base, "--instrument", f"{BUILTIN_ID}@9.9.9")
    assert code == 1 and "no final ratings match" in err


def test_several_data_folders_are_merged(tmp_path: Path, data: Path, builtin: Instrument) -> None:
    other = Store.open(tmp_path / "laptop")
    other.finalise(rating(builtin, 9, "RP", GOLD[0]), builtin)
    other.finalise(rating(builtin, 9, "AB", GOLD[0]), builtin)
    code, _, err = run(
        "calibrate", "--gold", "RP", "--data", str(data), "--data", str(other.data_dir)
    )
    assert code == 0, err
    assert "read 17 final rating(s)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agreement", "--instrument", "@1.0"], "--instrument '@1.0': expected ID or ID@VERSION"),
        (["agreement", "--from", "2026-02-30"], "--from '2026-02-30': February 2026 has 28 days"),
        (["agreement", "--dyad", "XX0000"], "no final ratings match; nothing to analyse"),
        (["calibrate", "--gold", "ZZ"], "by gold rater 'ZZ'; raters: AB, CD, RP"),
        (["calibrate", "--gold", "RP", "--rater", "ZZ"], "--rater 'ZZ': no usable final rating"),
    ],
)
def test_bad_requests_fail_with_one_line(data: Path, args: list[str], message: str) -> None:
    code, _, err = run(*args, "--data", str(data))
    assert code == 1
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_ratings_of_an_unknown_instrument(tmp_path: Path, builtin: Instrument) -> None:
    other = builtin.model_copy(update={"id": "not-installed"})
    Store.open(tmp_path / "data").finalise(rating(other, 1, "RP", GOLD[0]), other)
    shutil.rmtree(tmp_path / "data" / "instrument-files")  # the copy the folder keeps, too
    code, _, err = run("agreement", "--data", str(tmp_path / "data"))
    assert code == 1
    assert "made with not-installed@0.2.0, which no instruments folder holds" in err


def test_not_a_data_folder(tmp_path: Path) -> None:
    code, _, err = run("agreement", "--data", str(tmp_path / "nowhere"))
    assert code == 1 and "is not a rating-tui data folder" in err


def test_unwritable_csv_is_one_line(data: Path, tmp_path: Path) -> None:
    code, _, err = run("calibrate", "--gold", "RP", "--data", str(data), "--csv", str(tmp_path))
    assert code == 1 and err.strip().splitlines()[-1].startswith(f"error: cannot write {tmp_path}")


def test_agreement_without_the_stats_extra_says_how_to_install(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rating_tui.analysis.results as results

    monkeypatch.setattr(results, "stats_missing", lambda: "agreement statistics need scipy: x")
    code, stdout, err = run("agreement", "--data", str(data))
    assert (code, stdout) == (1, "")
    assert err == "error: agreement statistics need scipy: x\n"
    code, _, err = run("calibrate", "--gold", "RP", "--data", str(data))  # no numpy needed
    assert code == 0, err


def test_calibrate_says_how_many_of_the_trainees_sessions_it_rests_on(
    tmp_path: Path, builtin: Instrument
) -> None:
    """A trainee who rated 3 sessions, one of them with the gold rater, and one who shares
    none: the figures rest on 1 of 3, and nothing compared is never "close on every item"."""
    store = Store.open(tmp_path / "d")
    for number, rater in ((1, "AB"), (2, "AB"), (3, "AB"), (1, "RP"), (5, "RP"), (9, "CD")):
        store.finalise(rating(builtin, number, rater, GOLD[0]), builtin)
    code, stdout, err = run("calibrate", "--data", str(tmp_path / "d"), "--gold", "RP")
    assert code == 0, err
    said = " ".join(stdout.split())
    assert "1 of AB's 3 session(s) were rated by RP too (RP rated 2)" in said
    assert "Nothing to compare: CD rated no session that RP rated (CD rated 1, RP rated 2)" in said
    assert "CD: no item diverges" not in said and "CD is close" not in said
