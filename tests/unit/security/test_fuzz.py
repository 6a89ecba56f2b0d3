"""Fuzzing the two doors: hostile TOML against the instrument loader and hostile JSON Lines
against the ratings importer. Each input ends in a result or a refusal in words (never an
exception of another kind), and its work is bounded, checked by counting events rather than
timing them: tomllib sees only text within the pre-check's bounds, and each import line is
parsed at most once and never past the line limit. A refused import stores nothing.

`deadline=None`: time is not asserted (a shared machine would make that flaky); the counted
bounds are what keeps each input cheap, and benchmarks/toml_bench.py times the worst cases.
"""

from __future__ import annotations

import contextlib
import copy
import json
import tomllib
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rating_tui.cli import app
from rating_tui.imports import jsonl
from rating_tui.instruments import loader
from rating_tui.instruments import toml_bounds as tb
from rating_tui.instruments.catalogue import default_sources, discover
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.instruments.problems import InstrumentError
from rating_tui.ratings import STATUSES, Rating, limits
from rating_tui.services.demo import builtin_instrument, fill_demo_data
from rating_tui.store import Store
from tests.unit.instruments.conftest import MINIMAL_TOML

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

# --- TOML -------------------------------------------------------------------------------------

HOSTILE_CHARS = "[]{}.=,\"'#\n\\ ab1\x1b\u202e\x00\ufeffé"
key = st.text(alphabet="abc_", min_size=1, max_size=3)


@st.composite
def hostile_toml(draw: st.DrawFn) -> str:
    """The minimal instrument with hostile pieces spliced in, or hostile text alone."""
    parts = draw(st.integers(1, 40))
    depth = draw(st.integers(1, 30))
    pieces = [
        "[" + ".".join(draw(key) for _ in range(parts)) + "]\n",
        ".".join(draw(key) for _ in range(parts)) + " = 1\n",
        "x = " + "[" * depth + "]" * depth + "\n",
        "y = " + "{ a = " * depth + "1" + " }" * depth + "\n",
        "".join(f"[t{n}]\n" for n in range(draw(st.integers(0, 1100)))),
        "z = [" + "1," * draw(st.integers(0, 6_000)) + "]\n",
        'title = "' + draw(st.text(HOSTILE_CHARS, max_size=30)) + '"\n',
        draw(st.text(HOSTILE_CHARS, max_size=200)),
        draw(st.sampled_from(['x = """', "x = '''", 'x = "\\u001b"', "[[items]]\n"])),
        "s = '" + "x" * draw(st.sampled_from([10, tb.MAX_LINE, tb.MAX_LINE + 1])) + "'\n",
    ]
    chosen = draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=3))
    base = draw(st.sampled_from([MINIMAL_TOML, ""]))
    cut = draw(st.integers(0, len(base)))
    return base[:cut] + "".join(chosen) + base[cut:]


@pytest.fixture
def toml_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = tomllib.loads

    def counting(text: str) -> dict[str, Any]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(loader.tomllib, "loads", counting)
    return calls


@SETTINGS
@given(text=hostile_toml())
def test_hostile_toml_is_loaded_or_refused_in_words_within_bounds(
    text: str, toml_calls: list[str]
) -> None:
    toml_calls.clear()
    try:
        result = parse_instrument(text, "fuzz.toml")
    except InstrumentError as exc:
        assert exc.problems and all(p.file == "fuzz.toml" and p.message for p in exc.problems)
        assert len(exc.problems) <= 201  # described at most 200, then "and N more"
        assert all("\x1b" not in str(p) and "\u202e" not in str(p) for p in exc.problems)
    else:
        assert isinstance(result, Instrument)
    assert len(toml_calls) <= 1
    for seen in toml_calls:  # tomllib only ever sees text within every bound
        assert tb.bounds_problem(seen) is None
        assert max(map(len, seen.split("\n"))) <= tb.MAX_LINE


MAX_PARSE_MEMORY = 32 * 2**20
"""Bytes a hostile instrument under the size cap may make the loader hold at its peak."""


@settings(SETTINGS, max_examples=40)
@given(text=hostile_toml())
def test_hostile_toml_is_parsed_in_bounded_memory(text: str) -> None:
    """Memory counted by tracemalloc (bytes allocated, the same on a busy machine)."""
    tracemalloc.start()
    try:
        with contextlib.suppress(InstrumentError):
            parse_instrument(text, "fuzz.toml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= MAX_PARSE_MEMORY, f"{peak:,} bytes for {len(text):,} characters"


# --- JSON Lines -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    fill_demo_data(Store.open(folder), builtin_instrument(), 30, seed=8)
    stored = Store.open(folder).iter_all(statuses=STATUSES)
    return [json.loads(r.model_dump_json()) for r in stored]


LEAVES: list[Any] = [
    None, True, -1, 2**53, 10**30, 1.5, float("inf"), "", "x" * 3000, "\x1b[2J", "\u202e",
    "=1+1", " =HYPERLINK(1)", [], {}, [1, "a"], {"value": 99}, {"missing": "no"},
]  # fmt: skip


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside `node`."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for n, v in enumerate(node):
            out += paths(v, (*prefix, n))
    return out


@st.composite
def hostile_line(draw: st.DrawFn, sample: list[dict[str, Any]]) -> bytes:
    """A demo rating with some values replaced by hostile ones, or a line of junk."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "bytes", "cut", "big"]))
    rating = json.loads(json.dumps(draw(st.sampled_from(sample))))
    if kind == "bytes":
        return draw(st.binary(max_size=300)).replace(b"\n", b" ")
    text = json.dumps(rating)
    if kind == "cut":
        return text[: draw(st.integers(0, len(text)))].encode()
    if kind == "big":
        return (text[:-1] + ', "n": ' + "9" * draw(st.sampled_from([17, 5000])) + "}").encode()
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(rating)))
        node = rating
        for part in where[:-1]:
            node = node[part]
        node[where[-1]] = copy.deepcopy(draw(st.sampled_from(LEAVES)))
    return json.dumps(rating).encode()


@pytest.fixture(scope="module")
def known() -> dict[str, Any]:
    return {li.ref: li for li in discover(default_sources()).instruments}


@pytest.fixture
def json_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = json.loads

    def counting(text: str, **kwargs: Any) -> Any:
        calls.append(len(text))
        return real(text, **kwargs)

    monkeypatch.setattr(jsonl.json, "loads", counting)
    monkeypatch.setattr(limits, "MAX_LINE_BYTES", 4000)
    return calls


@SETTINGS
@given(data=st.data())
def test_hostile_import_lines_are_taken_or_refused_in_words(
    data: st.DataObject, sample: list[dict[str, Any]], known: dict[str, Any], json_calls: list[int]
) -> None:
    raw = data.draw(hostile_line(sample))
    json_calls.clear()
    batch = jsonl.read_jsonl([(1, raw if len(raw) <= 4000 else None)], known)
    for _, rating in batch.ratings:
        assert isinstance(rating, Rating)
        assert not any("\x1b" in s or "\x00" in s for s in (rating.notes, rating.rater))
    assert all(p.message for p in batch.problems)
    assert bool(batch.ratings) != bool(batch.problems) or batch.records == 0
    assert len(json_calls) <= 1 and all(n <= 4000 for n in json_calls)


@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_a_file_with_one_hostile_line_stores_all_or_nothing(
    data: st.DataObject, sample: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    lines = [json.dumps(r).encode() for r in sample[:3]]
    lines.insert(data.draw(st.integers(0, 3)), data.draw(hostile_line(sample)))
    folder = tmp_path_factory.mktemp("import")
    source = folder / "r.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    target = folder / "data"
    result = CliRunner().invoke(app, ["ratings", "import", str(source), "--data", str(target)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code:
        assert "nothing was imported" in result.output or "error:" in result.output
        assert not target.exists() or not list(Store.open(target).iter_all(statuses=STATUSES))
    else:
        stored = {r.id for r in Store.open(target).iter_all(statuses=STATUSES)}
        assert {r["id"] for r in sample[:3]} <= stored


def test_the_fuzz_inputs_reach_both_outcomes(sample: list[dict[str, Any]]) -> None:
    """The strategies are not vacuous: the sample lines are valid and the minimal file loads."""
    assert all(Rating.model_validate(r) for r in sample)
    assert parse_instrument(MINIMAL_TOML, "mini.toml").id == "mini"
    assert Path(__file__).name == "test_fuzz.py"


def test_problems_past_the_cap_are_counted_once_with_the_cross_table_ones() -> None:
    """Found by the fuzz test above: 200 unknown tables splitting a field from its role gave
    200 problems, "and 1 more", then the cross-table problem (no session_date role) after
    that line: 202. The cross-table problems are now counted under the one last line."""
    tables = "".join(f"[t{n}]\n" for n in range(200))
    text = MINIMAL_TOML.replace('type = "date"\n', 'type = "date"\n[_]\n' + tables, 1)
    assert text != MINIMAL_TOML
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "fuzz.toml")
    problems = caught.value.problems
    assert len(problems) == 201
    assert problems[-1].message == "... and 2 more problem(s) like these, not shown"
    assert sum("unknown key" in p.message for p in problems) == 200
