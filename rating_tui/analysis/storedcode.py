"""The reader of one instrument version's stored records for `stored`, written out for it.

When a version's first rating is read, `Version` writes one function for it (as
`export.rowcode` writes the CSV export's wide line): a block per session key field (its
text's code, or no key) and per analysed item (the code of its value, read in each form
exactly as `pairing._Builder.add` reads it: a point as its number, a choice as its option's
index, a not-observed / n.a. code, no value), and the record's bytes packed in one call
(`HEAD`, then a byte per item). Values are coded per column in the order met (`Coder`): a
value reads back the same whatever its code. What this cannot take raises `Fallback`.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rating_tui.analysis.columns import MAX_LEVELS
from rating_tui.analysis.records import answer_number, answered_values, choice_number, stamp
from rating_tui.analysis.scales import ItemScale, item_scale, score_scale
from rating_tui.instruments.scores import compute

if TYPE_CHECKING:
    from rating_tui.analysis.stored import _Reader
    from rating_tui.instruments.model import Instrument

HEAD = struct.Struct("<iqidHB")
"""Run part code (the session date's, 0 without a date), the key's other part codes packed,
rater code, update time, version, 1 when the rating has no session key; the item codes
follow."""
PART_BITS = 21
"""Bits of each packed part code: a part with more distinct texts hands back."""
NO_VALUE, CODED = 255, 254
"""Item codes besides the levels: unanswered or no number; a not-observed/n.a. code."""
_A = object()


class Fallback(Exception):
    """This path does not take the folder; `pairing.collect` reads it instead."""


class Coder:
    """One column's distinct values by code, as met while reading (any order: a value reads
    back the same whichever code it has)."""

    __slots__ = ("code_of", "levels")

    def __init__(self) -> None:
        self.code_of: dict[float, int] = {}
        self.levels: list[float] = []

    def new(self, value: float) -> int:
        if value != value:  # NaN: no value, as `ItemColumn.set` takes it
            return NO_VALUE
        if (value == 0 and math.copysign(1.0, value) < 0) or len(self.levels) == MAX_LEVELS:
            raise Fallback  # -0.0 prints apart from 0.0; too many values for a byte
        code = self.code_of[value] = len(self.levels)
        self.levels.append(float(value))
        return code


def _dict_number(answer: object, index: dict[str, float] | None) -> tuple[float | None, bool]:
    """(number or None, coded) of an answer not in the form {"value": v} / {"missing": c}:
    what `_Builder.add` makes of it."""
    number: float | None = None
    if type(answer) is dict:
        value = answer.get("value")
        kind = type(value)
        if index is None:
            if kind is int or kind is float:
                number = value
            elif value is None and "missing" in answer:
                return None, True
        elif "missing" not in answer and (kind is str or kind is int):
            number = index.get(str(value))
            if number is None:
                return None, False
    if number is None:
        found, is_code = answer_number(answer) if index is None else choice_number(answer, index)
        return (None, True) if is_code else (found, False)
    return number, False


_NUMBER = """
    a = aget({key!r})
    if a is None:
        c{n} = 255
    elif type(a) is dict and len(a) == 1:
        v = a.get("value", A)
        t = type(v)
        if t is int or t is float:
            if t is float and v == 0 and copysign(1.0, v) < 0:
                raise Fallback
            c{n} = K{n}.get(v)
            if c{n} is None:
                c{n} = new{n}(v)
        elif v is A:
            c{n} = 254 if "missing" in a else 255
        else:
            c{n} = 255
    else:
        c{n} = odd(a, {n})"""

_CHOICE = """
    a = aget({key!r})
    if a is None:
        c{n} = 255
    elif type(a) is dict and len(a) == 1:
        v = a.get("value", A)
        t = type(v)
        if t is str:
            c{n} = S{n}.get(v)
            if c{n} is None:
                c{n} = choose(v, {n})
        elif t is int:
            c{n} = I{n}.get(v)
            if c{n} is None:
                c{n} = choose(v, {n})
        elif v is A:
            c{n} = 254 if "missing" in a else 255
        else:
            c{n} = 255
    else:
        c{n} = odd(a, {n})"""

_PART = """
    v = sget({key!r}, "")
    if type(v) is not str:
        v = str(v)
    if not v:
        return unkeyed
    p{n} = P{n}.get(v)
    if p{n} is None:
        p{n} = text({n}, v)"""


class Version:
    """The reader of one instrument version's records (written out for it)."""

    def __init__(self, reader: _Reader, index: int, instrument: Instrument) -> None:
        from rating_tui.analysis.pairing import SESSION_ROLES, analysed_keys

        self.index = index
        self.instrument = instrument
        roles = [instrument.field_with_role(role) for role in SESSION_ROLES]
        self.roles = tuple(f is not None for f in roles)
        self.key_fields = [f.key for f in roles if f is not None]
        self.run_part = None if roles[1] is None else sum(self.roles[:1])
        items = analysed_keys(instrument)
        self.scales: list[ItemScale] = []
        self.indices: list[dict[str, float] | None] = []
        for key in items:
            scale = item_scale(instrument, key)
            assert scale is not None  # an analysed item has a scale
            self.scales.append(scale)
            self.indices.append({c: float(i) for i, c in enumerate(scale.codes)} or None)
        self.scores = list(instrument.scores)
        self.scales += [score_scale(instrument, s) for s in self.scores]
        self.layout = (self.roles, tuple(s.key for s in self.scales))
        self.coders = reader.coders_of(instrument.id, self.layout[1])
        self.read = self._compile(reader, items)

    def _compile(self, reader: _Reader, items: list[str]) -> Callable[..., bytes | None]:
        names: dict[str, Any] = {
            "A": _A,
            "Fallback": Fallback,
            "copysign": math.copysign,
            "pack": struct.Struct(HEAD.format + "B" * len(self.scales)).pack,
            "stamp": stamp,
            "text": reader.text,
            "odd": self._odd,
            "choose": self._choose,
            "scores": self._scores,
            "unkeyed": HEAD.pack(0, 0, 0, 0.0, self.index, 1),
        }
        body = [] if self.key_fields else ["\n    return unkeyed"]
        self.memo_s: list[dict[object, int]] = [{} for _ in items]
        self.memo_i: list[dict[object, int]] = [{} for _ in items]
        for n, key in enumerate(self.key_fields):
            names[f"P{n}"] = reader.parts[n]
            body.append(_PART.format(n=n, key=key))
        run = self.run_part
        rest = [n for n in range(len(self.key_fields)) if n != run]
        packed = " | ".join(f"(p{n} << {PART_BITS * i})" for i, n in enumerate(rest)) or "0"
        body.append("\n    aget = answers.get")
        for n, (key, index) in enumerate(zip(items, self.indices, strict=True)):
            coder = self.coders[n]
            names[f"K{n}"] = coder.code_of
            names[f"new{n}"] = coder.new
            names[f"S{n}"], names[f"I{n}"] = self.memo_s[n], self.memo_i[n]
            body.append((_NUMBER if index is None else _CHOICE).format(n=n, key=key))
        codes = [f"c{n}" for n in range(len(items))]
        if self.scores:
            body.append("\n    extra = scores(answers)")
            codes.append("*extra")
        source = (
            "def read(session, answers, rater, updated):\n    sget = session.get"
            + "".join(body)
            + f"\n    return pack({'p' + str(run) if run is not None else '0'}, {packed}, "
            + f"rater, stamp(updated), {self.index}, 0, {', '.join(codes)})\n"
        )
        exec(compile(source, f"<agreement reader of {self.instrument.ref}>", "exec"), names)
        found: Callable[..., bytes | None] = names["read"]
        return found

    def _odd(self, answer: object, n: int) -> int:
        """The code of an answer in another form than {"value": v} / {"missing": c}."""
        number, coded = _dict_number(answer, self.indices[n])
        if coded:
            return CODED
        return NO_VALUE if number is None else self._code(n, number)

    def _choose(self, value: str | int, n: int) -> int:
        """The code of a choice's value (its option's index), remembered."""
        index = self.indices[n]
        assert index is not None
        number = index.get(str(value))
        code = NO_VALUE if number is None else self._code(n, number)
        (self.memo_s if type(value) is str else self.memo_i)[n][value] = code
        return code

    def _code(self, n: int, number: float) -> int:
        coder = self.coders[n]
        code = coder.code_of.get(number)
        if code is None:
            return coder.new(number)
        if number == 0 and math.copysign(1.0, number) < 0:
            raise Fallback
        return code

    def _scores(self, answers: dict[str, Any]) -> list[int]:
        """The codes of the version's scores, computed as `_Builder.add` computes them."""
        answered = answered_values(answers)
        found = []
        base = len(self.indices)
        for n, score in enumerate(self.scores, base):
            value, _ = compute(self.instrument, score, answered)
            found.append(NO_VALUE if value is None else self._code(n, float(value)))
        return found
