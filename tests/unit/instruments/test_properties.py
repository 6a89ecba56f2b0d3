"""Property tests: whatever a researcher (or a disk) hands the loader, the answer is an
`Instrument` or an `InstrumentError` whose problems each name the file, and never another
exception."""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import string
import tomllib
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rating_tui.instruments.loader import load_instrument, parse_instrument
from rating_tui.instruments.model import Instrument
from rating_tui.instruments.problems import InstrumentError, render_path
from rating_tui.safetext import escape

NAME = "broken-instrument.toml"
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis folder in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- a tiny TOML writer (tomli_w is not a dependency) -----------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def to_toml(data: dict[str, Any], tables: bool = True) -> str:
    """TOML text for `data`: with [table] / [[array]] headers, or as inline tables only."""
    if not tables:
        return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())
    lines: list[str] = []

    def emit(table: dict[str, Any], prefix: str) -> None:
        nested = []
        for k, v in table.items():
            if isinstance(v, dict) or _is_table_array(v):
                nested.append((k, v))
            else:
                lines.append(f"{toml_key(k)} = {toml_value(v)}")
        for k, v in nested:
            path = prefix + toml_key(k)
            if isinstance(v, dict):
                lines.append(f"\n[{path}]")
                emit(v, path + ".")
            else:
                for entry in v:
                    lines.append(f"\n[[{path}]]")
                    emit(entry, path + ".")

    emit(data, "")
    return "\n".join(lines) + "\n"


# --- the checks -------------------------------------------------------------------------------


def check(text: str, name: str = NAME) -> Instrument | InstrumentError:
    """Parse `text`; assert the outcome keeps the loader's promise."""
    try:
        result = parse_instrument(text, name)
    except InstrumentError as exc:
        check_error(exc, name, text)
        return exc
    assert isinstance(result, Instrument)
    return result


def check_error(exc: InstrumentError, name: str, text: str | None = None) -> None:
    assert len(exc.problems) >= 1
    last_line = text.count("\n") + 1 if text is not None else None
    for p in exc.problems:
        shown = str(p)
        assert p.file == name
        assert isinstance(p.message, str) and p.message.strip()
        assert "\n" not in p.message, p.message  # one problem, one line
        assert shown.startswith(name), shown
        assert escape(p.message) in shown  # shown escaped: a key may hold ESC or U+202E
        assert escape(p.path) in shown
        if p.line is not None:
            assert isinstance(p.line, int) and p.line >= 1
            if last_line is not None:
                assert p.line <= last_line, (p, last_line)
    assert str(exc).count("\n") >= len(exc.problems) - 1


# --- strategies -------------------------------------------------------------------------------

KNOWN_KEYS = [
    "id",
    "version",
    "title",
    "fields",
    "items",
    "scales",
    "key",
    "label",
    "type",
    "role",
    "scale",
    "anchors",
    "points",
    "value",
    "choices",
    "code",
    "min",
    "max",
    "step",
    "default",
    "pattern",
    "missing_codes",
    "export_value",
    "section",
    "sections",
    "now_moments",
    "tags",
    "required",
    "requird",
    "max_length",
    "format",
    "lables",
    "likert",
    "numeric",
]
chars = st.characters()
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(chars, min_size=1, max_size=12))
scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.text(chars, max_size=20),
    st.sampled_from(
        [
            "likert",
            "numeric",
            "text",
            "yes_no",
            "single_choice",
            "multiple_choice",
            "dyad",
            "rater",
            "session_date",
            "today",
            "next",
            "presence",
            "holding",
            "not_observed",
            "1.0.0",
            "",
            "0",
            "1",
        ]
    ),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=4),
    ),
    max_leaves=8,
)
values_without_tables = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=8
)
"""The mutations below put no table where the format expects text: that case is the known bug
of test_a_table_where_text_is_expected_is_reported (an error without any problem), which
would otherwise fail these properties on most runs. Use `values` again once it is fixed."""


def _kind(value: Any) -> str:
    return type(value).__name__


def _containers(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths (tuples of keys/indexes) of every dict and list in `node`, itself included."""
    out = []
    if isinstance(node, dict | list):
        out.append(path)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            out += _containers(v, (*path, k))
    return out


def _at(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    values = values_without_tables
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        target = _at(data, draw(st.sampled_from(_containers(data))))
        if isinstance(target, dict):
            op = draw(st.sampled_from(["delete", "add", "retype", "rename", "empty"]))
            if not target or op == "add":
                target[draw(keys)] = draw(values)
                continue
            key = draw(st.sampled_from(sorted(target)))
            if op == "delete":
                del target[key]
            elif op == "retype":
                old = target[key]
                new = draw(values.filter(lambda v, old=old: _kind(v) != _kind(old)))
                target[key] = new
            elif op == "rename":
                moved = target.pop(key)
                holds_tables = isinstance(moved, dict) or _is_table_array(moved)
                new_key = draw(keys.filter(lambda k: k not in KNOWN_KEYS) if holds_tables else keys)
                target[new_key] = moved
            else:
                target[key] = draw(st.sampled_from([[], "", 0]))
        else:
            op = draw(st.sampled_from(["duplicate", "remove", "append", "retype"]))
            if not target or op == "append":
                target.append(draw(values))
                continue
            n = draw(st.integers(min_value=0, max_value=len(target) - 1))
            if op == "duplicate":
                target.append(copy.deepcopy(target[n]))
            elif op == "remove":
                del target[n]
            else:
                target[n] = draw(values)
    return data


# --- the properties ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_data(kit) -> dict[str, Any]:
    return tomllib.loads(kit.MINIMAL_TOML)


def test_the_writer_round_trips_the_minimal_instrument(base_data):
    for tables in (True, False):
        text = to_toml(base_data, tables)
        assert tomllib.loads(text) == base_data
        assert isinstance(check(text), Instrument)


@SETTINGS
@given(data=values.filter(lambda v: isinstance(v, dict)), tables=st.booleans())
def test_the_writer_round_trips_random_tables(data, tables):
    assume(not any(isinstance(v, float) and math.isnan(v) for v in _leaves(data)))
    assert tomllib.loads(to_toml(data, tables)) == data


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [x for v in node.values() for x in _leaves(v)]
    if isinstance(node, list):
        return [x for v in node for x in _leaves(v)]
    return [node]


@SETTINGS
@given(st.data(), st.booleans())
def test_mutated_instruments_are_accepted_or_reported(base_data, data, tables):
    broken = data.draw(mutated(base_data))
    text = to_toml(broken, tables)
    assert tomllib.loads(text) is not None  # the writer made valid TOML
    check(text)


@SETTINGS
@given(st.data())
def test_mutated_instruments_report_problems_at_real_key_paths(base_data, data):
    """Paths of problems start at a top-level key of the file or a required one."""
    broken = data.draw(mutated(base_data))
    outcome = check(to_toml(broken))
    if isinstance(outcome, InstrumentError):
        allowed_roots = {render_path((k,)) for k in broken} | set(Instrument.model_fields)
        for p in outcome.problems:
            if p.path:  # (a key may itself contain "." or "[", hence no split)
                assert any(
                    p.path == root or p.path.startswith((root + ".", root + "["))
                    for root in allowed_roots
                ), p


@SETTINGS
@given(st.text(chars, max_size=300))
def test_random_text(text):
    check(text)


TOMLISH = st.text(
    alphabet=string.ascii_lowercase[:6] + "0123456789[]{}=\"'.,#-_ \n\t\u00e9\u00a0", max_size=200
)


@SETTINGS
@given(TOMLISH)
def test_random_toml_like_text(text):
    check(text)


@SETTINGS
@given(st.data())
def test_random_lines_spliced_into_a_valid_instrument(kit, data):
    lines = kit.MINIMAL_TOML.split("\n")
    n = data.draw(st.integers(min_value=0, max_value=len(lines)))
    junk = data.draw(
        st.one_of(
            TOMLISH,
            st.sampled_from(
                [
                    "[items.anchors]",
                    "[[items]]",
                    "key = 1",
                    '"""',
                    "'''",
                    "x = [",
                    "]",
                    "[scales.x]",
                    'scale = "nope"',
                    "required = 2",
                    "type = 'likert'",
                    "0 = 1",
                ]
            ),
        )
    )
    check("\n".join([*lines[:n], junk, *lines[n:]]))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("bytes") / "random.toml"


@SETTINGS
@given(
    payload=st.binary(max_size=300), prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b'id = "x"\n'])
)
def test_random_bytes_from_a_file(scratch, payload, prefix):
    scratch.write_bytes(prefix + payload)
    try:
        loaded = load_instrument(scratch, display=NAME)
    except InstrumentError as exc:
        check_error(exc, NAME)
    else:
        assert isinstance(loaded.instrument, Instrument)


def _text_leaves(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths of the string values in `node`."""
    if isinstance(node, str):
        return [path]
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _text_leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for k, v in enumerate(node) for p in _text_leaves(v, (*path, k))]
    return []


@settings(max_examples=50, deadline=None, database=None, report_multiple_bugs=False)
@given(st.data())
def test_a_table_where_text_is_expected_is_reported(base_data, data):
    broken = copy.deepcopy(base_data)
    path = data.draw(st.sampled_from(_text_leaves(broken)))
    _at(broken, path[:-1])[path[-1]] = data.draw(st.dictionaries(keys, scalars, max_size=2))
    check(to_toml(broken))
