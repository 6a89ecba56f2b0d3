"""Instrument TOML within bounds: what tomllib is slow on (a dotted key of 200,000 parts in
400 kB ran for minutes) is refused by a linear pre-check, with the line named, before tomllib
sees it. The tests count tomllib calls; benchmarks/toml_bench.py times the worst cases."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from rating_tui.instruments import loader
from rating_tui.instruments import toml_bounds as tb
from rating_tui.instruments.loader import parse_instrument
from rating_tui.instruments.problems import InstrumentError
from rating_tui.instruments.starter import starter_text
from tests.conftest import BUILTIN_ID, REPO
from tests.unit.instruments.conftest import MINIMAL_TOML


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the texts handed to tomllib by the loader."""
    calls: list[int] = []
    real = tomllib.loads

    def counting(text: str) -> dict[str, object]:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(loader.tomllib, "loads", counting)
    return calls


def refused(text: str) -> tuple[str, int | None]:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, "x.toml")
    [problem] = caught.value.problems
    return problem.message, problem.line


HOSTILE = {
    "a header of 200,000 dotted parts": ("[" + ".".join(["a"] * 200_000) + "]\n", 1),
    "a header of 6 parts (fits one line)": ("id = 1\n\n[a.b.c.d.e.f]\n", 3),
    "a dotted key of 6 parts": ("a.b.c.d.e.f = 1\n", 1),
    "an inline table's dotted key": ('x = { a = 1, b."c".d.e.f.g = 2 }\n', 1),
    "arrays nested 11 deep": ("x = " + "[" * 11 + "]" * 11 + "\n", 1),
    "inline tables nested 11 deep": ("x = " + "{ a = " * 11 + "1" + " }" * 11 + "\n", 1),
    "1,001 tables": ("".join(f"[t{n}]\n" for n in range(1001)), 1001),
    "5,001 keys": ("".join(f"k{n} = 1\n" for n in range(5_001)), 5_001),
    "an array of 5,001 numbers": ("x = [\n" + "1,\n" * 5_001 + "]\n", 5_001),
    "a line of 20,001 characters": ('t = "' + "x" * 19_995 + '"\n', 1),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_out_of_bounds_text_is_refused_before_tomllib(name: str, parses: list[int]) -> None:
    text, line = HOSTILE[name]
    message, at = refused(text)
    assert message.endswith("; no instrument needs this")
    assert at == line
    assert parses == []


@pytest.mark.parametrize(
    "text",
    [
        'title = "a.b.c.d.e.f.g [[x]] {y = 1}"\n',  # punctuation inside strings does not count
        "'a.b.c.d.e.f' = 1\n",  # one quoted key
        'x = """\n[a.b.c.d.e.f]\n"""\n',  # a header inside a multi-line string
        "x = '''\n{{{{{{{{{{{{\n'''\n",
        "x = 1.5 # [a.b.c.d.e.f.g]\n",  # a comment and a float
        "a.b.c.d.e = [[[[[[[[[[1]]]]]]]]]]\n",  # at the bounds
    ],
)
def test_text_within_bounds_is_left_to_tomllib(text: str) -> None:
    assert tb.bounds_problem(text) is None
    tomllib.loads(text)


def test_every_shipped_and_sample_instrument_is_within_bounds() -> None:
    files = [REPO / "instruments" / f"{BUILTIN_ID}.toml", *REPO.glob("tests/**/*.toml")]
    assert len(files) >= 3
    for path in files:
        assert tb.bounds_problem(path.read_text(encoding="utf-8")) is None, path
    assert tb.bounds_problem(MINIMAL_TOML) is None
    assert tb.bounds_problem(starter_text("new-one", "A new one")) is None


def test_unterminated_strings_are_left_to_tomllib_to_report(parses: list[int]) -> None:
    for text in ('x = "abc\n', "x = 'abc\n", 'x = """abc\n', "x = '''abc"):
        message, _ = refused(text)
        assert message.startswith("not valid TOML")
    assert len(parses) == 4


def test_a_dotted_key_under_the_size_cap_is_refused_by_the_loader(tmp_path: Path) -> None:
    path = tmp_path / "dots.toml"
    path.write_text("[" + ".".join(["a"] * 200_000) + "]\n")
    with pytest.raises(InstrumentError) as caught:
        loader.load_instrument(path)
    assert str(caught.value).startswith(f"{path}:1: line is 400,001 characters long")
