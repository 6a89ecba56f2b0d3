"""`rating-tui report`: a self-contained HTML report that fetches nothing, and prints to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from rating_tui.cli import create_app
from rating_tui.instruments.catalogue import Source, discover
from rating_tui.instruments.model import Instrument
from rating_tui.ratings import Answered, Missing, NowMoment, Rating
from rating_tui.store import Store
from tests.cli.invoke import run_app
from tests.cli.test_alerts_cli import ITEMS, fill, rate
from tests.conftest import BUILTIN_ID, REPO


@pytest.fixture(scope="module")
def builtin() -> Instrument:
    return discover([Source(REPO / "instruments", "built-in")]).get(BUILTIN_ID).instrument


@pytest.fixture
def data(tmp_path: Path, builtin: Instrument) -> Path:
    return fill(tmp_path / "data", builtin)


def run(*args: str) -> tuple[int, str, str]:
    return run_app(create_app("report"), *args)


def with_moments_and_notes(data: Path, ins: Instrument) -> None:
    """Session 3 of EC0417: narration not observed, a now moment and a clinical note."""
    session = {"dyad": "EC0417", "session_date": "2026-03-09", "rater": "KL"}
    session |= {"session_number": 3, "setting": "home", "present": ["mother", "infant"]}
    answers = {k: Answered(value=1) for k in ITEMS} | {"narration": Missing(missing="not_observed")}
    rating = Rating.new(ins, "KL").replace(
        session=session | {"basis": "live"},
        answers=answers,
        now_moments=[NowMoment(text="She <laughed> with the baby", tags=["affective"])],
        notes="Mother disclosed a private matter.",
    )
    Store.open(data).finalise(rating, ins)


class Refs(HTMLParser):
    """Everything in a page that a browser could fetch: tags and attributes that load things."""

    LOADING: ClassVar[set[str]] = {
        "script",
        "link",
        "img",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "source",
    }

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.LOADING:
            self.found.append(f"<{tag}>")
        self._in_style = tag == "style"
        for name, value in attrs:
            loads = name in {"src", "href", "xlink:href", "srcset", "action", "poster", "data"}
            if loads and not (value or "").startswith("#"):
                self.found.append(f"{name}={value}")
            if name == "style" and value:
                self.styles.append(value)
            if value and re.search(r"https?:", value):
                self.found.append(f"{name}={value}")

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, text: str) -> None:
        if self._in_style:
            self.styles.append(text)


def test_dyad_report_holds_sessions_courses_alerts_moments_and_fetches_nothing(
    tmp_path: Path,
    data: Path,
    builtin: Instrument,
) -> None:
    with_moments_and_notes(data, builtin)
    out = tmp_path / "EC0417.html"
    code, _, err = run("report", "--data", str(data), "--dyad", "EC0417", "-o", str(out))
    assert code == 0, err
    assert "dyad EC0417: 3 session(s)" in err and "notes left out" in err
    page = out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600  # clinical data: private
    assert "3 rated session(s) #1 (2026-03-01) to #3 (2026-03-09)" in page
    assert "rater(s): KL, RP" in page
    assert f"{builtin.ref}" in page and "https://doi.org/10.1002/imhj.20216" in page  # citation
    assert page.count("<svg") == 7  # one chart per concept
    assert "<title>#3 2026-03-09: no value: not observed</title>" in page  # the gap says why
    assert "Spaced by date</b>, 2026-03-01 to 2026-03-09" in page
    assert "Opening future possibilities: fell 2 point(s), 3 → 1" in page
    assert "She &lt;laughed&gt; with the baby" in page and "[affective]" in page  # escaped
    assert "private matter" not in page  # notes only with --notes
    refs = Refs()
    refs.feed(page)
    assert refs.found == []
    assert refs.styles and not any(re.search(r"url\((?!#)|@import", s) for s in refs.styles)
    # the one web address in the file is the citation's text, not something to fetch
    assert re.findall(r"https?://\S+", page) == ["https://doi.org/10.1002/imhj.20216</p>"]


def test_notes_are_included_only_when_asked(
    tmp_path: Path,
    data: Path,
    builtin: Instrument,
) -> None:
    with_moments_and_notes(data, builtin)
    out = tmp_path / "r.html"
    code, _, err = run("report", "--data", str(data), "--dyad", "EC0417", "--notes", "-o", str(out))
    assert code == 0 and "notes included" in err
    assert "Mother disclosed a private matter." in out.read_text()


def test_caseload_page_lists_every_dyad_of_the_rater(tmp_path: Path, data: Path) -> None:
    out = tmp_path / "rp.html"
    code, _, err = run("report", "--data", str(data), "--rater", "RP", "-o", str(out))
    assert code == 0, err
    page = out.read_text()
    assert "Caseload of RP" in page and "2 dyad(s)" in page
    assert "<td>EC0417</td>" in page and "<td>TL0020</td>" in page and "KM0003" not in page
    assert "Sharp drop since the previous session" in page
    assert "2.1 → 1.9" in page  # EC0417's trend: mean of the items, first and latest session


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "r.html"), "give --dyad DYAD (a dyad's report) or --rater RATER"),
        (("--dyad", "EC0417", "-o", "r.pdf"), "expected a file name ending in .html"),
        (("--dyad", "ZZ9", "-o", "r.html"), "no final ratings of dyad 'ZZ9'"),
    ],
)
def test_bad_input_is_one_clear_error(
    tmp_path: Path,
    data: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    code, _, err = run("report", "--data", str(data), *args)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("r.*"))


def test_without_the_extra_the_command_says_how_to_install_it(
    tmp_path: Path,
    data: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("rating_tui.services.report_charts.charts_available", lambda: False)
    code, _, err = run("report", "--data", str(data), "--dyad", "EC0417", "-o", "x.html")
    assert code == 1 and "pip install 'rating-tui[report]'" in err


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: chromium)"
)
def test_the_report_prints_to_pdf_in_headless_chromium(tmp_path: Path, data: Path) -> None:
    out = tmp_path / "EC0417.html"
    assert run("report", "--data", str(data), "--dyad", "EC0417", "-o", str(out))[0] == 0
    pdf = tmp_path / "EC0417.pdf"
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                out.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    raw = pdf.read_bytes()
    assert raw.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", raw))
    assert pages >= 3  # first page, the charts' page, the values' page (print CSS breaks)


def test_the_caseload_page_says_what_other_raters_rated_of_each_dyad(
    tmp_path: Path, data: Path, builtin: Instrument
) -> None:
    """RP's page of EC0417 (2 sessions of RP's) says that AB's 2 ratings of it are left out;
    it showed 'Sessions 2' and a trend as if they were the dyad's."""
    store = Store.open(data)
    for n in (3, 4):
        rate(store, builtin, "EC0417", n, "AB")
    out = tmp_path / "rp.html"
    code, _, err = run("report", "--data", str(data), "--rater", "RP", "-o", str(out))
    assert code == 0, err
    page = out.read_text()
    assert "RP&#x27;s ratings only: 2 final rating(s) of 1 of these dyad(s)" in page
    assert "2 <span class='muted'>(2 by others, left out)</span>" in page
    assert "RP's ratings only; 2 by other raters left out" in " ".join(err.split())


def test_a_dyad_report_of_one_rater_says_how_many_ratings_of_others_it_left_out(
    tmp_path: Path, data: Path, builtin: Instrument
) -> None:
    store = Store.open(data)
    rate(store, builtin, "EC0417", 3, "AB")
    out = tmp_path / "ec.html"
    args = ("report", "--data", str(data), "--dyad", "EC0417", "--rater", "RP", "-o", str(out))
    code, _, err = run(*args)
    assert code == 0, err
    assert "(only RP's ratings: 1 by other raters left out)" in out.read_text()
    assert "(RP's ratings only; 1 by other raters left out)" in err
