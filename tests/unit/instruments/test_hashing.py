"""content_hash: the same for every spelling of the same content, different for any change."""

from __future__ import annotations

import hashlib
import re

import pytest

from rating_tui.instruments.hashing import canonical_json, content_hash
from rating_tui.instruments.loader import load_instrument, parse_instrument


@pytest.fixture
def base(kit) -> str:
    return kit.MINIMAL_TOML


def digest(text: str) -> str:
    return content_hash(parse_instrument(text, "h.toml"))


def test_hash_is_64_lower_case_hex_digits(base):
    h = digest(base)
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert h == digest(base)  # deterministic


def test_hash_is_the_sha256_of_the_canonical_json(base):
    ins = parse_instrument(base)
    assert content_hash(ins) == hashlib.sha256(canonical_json(ins).encode()).hexdigest()
    assert "\n" not in canonical_json(ins) and ": " not in canonical_json(ins)


REORDERED = """\
title = "Mini instrument"
version = "1.0.0"
id = "mini"

[[missing_codes]]
export_value = -9
label = "Not observed"
code = "not_observed"

[[items]]
missing_codes = ["not_observed"]
scale = "presence"
label = "Holding"
key = "holding"
anchors = { 2 = "holding throughout", 0 = "no holding" }

[[items]]
label = "Attunement"
key = "attunement"

[items.scale]
max = 10
type = "numeric"
min = 0

[[fields]]
role = "dyad"
type = "text"
label = "Dyad code"
key = "dyad"

[[fields]]
key = "session_date"
type = "date"
label = "Session date"
role = "session_date"

[[fields]]
role = "rater"
key = "rater"
label = "Rater"
type = "text"

[scales.presence]
points = [{ label = "absent", value = 0 }, { label = "present", value = 1 },
  { value = 2, label = "central" }]
type = "likert"
"""


@pytest.mark.parametrize(
    "respell",
    [
        pytest.param(lambda t: t.replace(" = ", "   =\t"), id="whitespace-around-equals"),
        pytest.param(lambda t: t.replace("\n\n", "\n\n\n\n"), id="blank-lines"),
        pytest.param(lambda t: "   " + t.replace("\n[", "\n  ["), id="indentation"),
        pytest.param(
            lambda t: "# An instrument\n" + t.replace('"Holding"', '"Holding"  # the label'),
            id="comments",
        ),
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: REORDERED, id="key-order-and-table-vs-inline-spelling"),
        pytest.param(
            lambda t: t.replace('scale = "presence"\n', 'scale = "presence"\nrequired = true\n'),
            id="spelled-out-default-required",
        ),
        pytest.param(
            lambda t: t.replace("min = 0, max = 10", "min = 0, max = 10, step = 1, min_label = ''"),
            id="spelled-out-scale-defaults",
        ),
        pytest.param(lambda t: "format = 1\n" + t, id="spelled-out-format"),
        pytest.param(
            lambda t: t.replace(
                'title = "Mini instrument"',
                'title = "Mini instrument"\ndescription = ""\nauthors = []\nlanguage = "en"',
            ),
            id="spelled-out-top-level-defaults",
        ),
        pytest.param(
            lambda t: t + "\n[now_moments]\nenabled = false\n", id="spelled-out-now-moments-off"
        ),
        pytest.param(lambda t: t.replace('"Holding"', "'Holding'"), id="literal-string-quotes"),
        pytest.param(lambda t: t.replace('id = "mini"', '"id" = "mini"'), id="quoted-key"),
        pytest.param(
            lambda t: t.replace("[scales.presence]", "[scales]\n[scales.presence]"),
            id="explicit-super-table",
        ),
    ],
)
def test_hash_is_stable_under_respelling(base, respell):
    text = respell(base)
    assert text != base
    assert digest(text) == digest(base)


def test_crlf_inside_a_multi_line_string_does_not_change_the_hash(base):
    lf = base.replace('label = "Holding"', 'label = "Holding"\nhelp = """\nFirst.\nSecond."""')
    assert digest(lf.replace("\n", "\r\n")) == digest(lf)


def test_unicode_normalisation_does_not_change_the_hash(base):
    nfc = base.replace('"Holding"', '"Halt\u00e9"')
    nfd = base.replace('"Holding"', '"Halte\u0301"')
    assert nfc != nfd
    assert digest(nfc) == digest(nfd)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('version = "1.0.0"', 'version = "1.0.1"'),
        ('title = "Mini instrument"', 'title = "Mini Instrument"'),
        ('label = "Holding"', 'label = "Holding "'),
        ('label = "Dyad code"', 'label = "Dyad"'),
        ('2 = "holding throughout"', '2 = "holding, throughout"'),
        ('2 = "holding throughout"', '1 = "holding throughout"'),
        ('{ value = 1, label = "present" }', '{ value = 1, label = "there" }'),
        ('{ value = 1, label = "present" }', '{ value = 3, label = "present" }'),
        ("min = 0, max = 10", "min = 0, max = 100"),
        ("min = 0, max = 10", "min = 0, max = 10, step = 2"),
        ("min = 0, max = 10", 'min = 0, max = 10, max_label = "always"'),
        ('scale = "presence"\n', 'scale = "presence"\nrequired = false\n'),
        ("export_value = -9", "export_value = -99"),
        ("export_value = -9", 'export_value = "-9"'),
        ('role = "dyad"\n', 'role = "dyad"\npattern = "[A-Z]+"\n'),
        ('id = "mini"', 'id = "mini2"'),
    ],
)
def test_hash_changes_with_any_change_of_content(kit, base, old, new):
    changed = kit.replace_once(base, old, new)
    assert digest(changed) != digest(base)


def test_hash_changes_when_items_are_reordered(base):
    first, second = base.split("\n[[items]]\n")[1:]
    swapped = base.split("\n[[items]]\n")[0] + "\n[[items]]\n" + second + "\n[[items]]\n" + first
    assert digest(swapped) != digest(base)


def test_hash_changes_when_now_moments_are_switched_on(base):
    assert digest(base + "\n[now_moments]\n") != digest(base)


def test_loaded_instrument_carries_the_hash(write, base):
    path = write("m.toml", "# comment\n" + base.replace("\n", "\r\n"))
    assert load_instrument(path).content_hash == digest(base)
