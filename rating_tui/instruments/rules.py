"""Rules that span several parts of an instrument: references between tables, duplicates,
anchors inside their scale, missing codes that cannot be confused with a value.

Each rule adds (key path, message) pairs, so that every broken rule of a file is reported at
once rather than one per run.
"""

from __future__ import annotations

import re

from rating_tui.instruments.alerts import alert_problems
from rating_tui.instruments.base import duplicate_problems, listed_twice, listing
from rating_tui.instruments.conditions import condition_problems
from rating_tui.instruments.locate import quote_key
from rating_tui.instruments.model import Instrument, Item
from rating_tui.instruments.scales import NumericScale, Scale, TextScale
from rating_tui.instruments.scores import score_problems

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
"""How a point of a numeric scale is written as an anchor key: 5, -1, 2.5."""


def reference_problems(ins: Instrument, kept: bool = False) -> list[tuple[str, str]]:
    """Rules that span parts of the file; every broken one is reported, not only the first
    (`kept`: a copy kept in a data folder, see `model.KEPT`)."""
    out: list[tuple[str, str]] = []
    out += duplicate_problems([f.key for f in ins.fields], "fields", "key", "session field key")
    out += duplicate_problems([i.key for i in ins.items], "items", "key", "item key")
    out += duplicate_problems([c.code for c in ins.missing_codes], "missing_codes", "code", "code")
    out += duplicate_problems([s.key for s in ins.sections], "sections", "key", "section key")
    given_roles = [f.role for f in ins.fields]
    out += duplicate_problems(given_roles, "fields", "role", "role", skip_none=True)
    items = {i.key for i in ins.items}
    for n, f in enumerate(ins.fields):
        if f.key in items:
            out.append((f"fields[{n}].key", f"{f.key!r} is also an item key; keys must differ"))
    roles = {f.role for f in ins.fields}
    for role in ("dyad", "session_date", "rater"):
        if role not in roles:
            out.append(("fields", f'no session field has role = "{role}"; exactly one must'))
    out += duplicate_problems(
        [str(c.export_value) for c in ins.missing_codes],
        "missing_codes",
        "export_value",
        "export value",
    )
    codes = {c.code for c in ins.missing_codes}
    export_values = {c.code: str(c.export_value) for c in ins.missing_codes}
    sections = {s.key for s in ins.sections}
    for n, item in enumerate(ins.items):
        where = f"items[{n}]"
        for k, code in enumerate(item.missing_codes):
            if code in item.missing_codes[:k] and not kept:  # two keys for one code
                out.append((f"{where}.missing_codes[{k}]", listed_twice(code, "code")))
            elif code not in codes:
                out.append(
                    (
                        f"{where}.missing_codes[{k}]",
                        f"{code!r} is not defined in [[missing_codes]] (defined: {listing(codes)})",
                    )
                )
        if item.section is not None and item.section not in sections:
            out.append(
                (
                    f"{where}.section",
                    f"{item.section!r} is not defined in [[sections]]"
                    f" (defined: {listing(sections)})",
                )
            )
        if isinstance(item.scale, str) and item.scale not in ins.scales:
            out.append(
                (
                    f"{where}.scale",
                    f"{item.scale!r} is not a scale defined in [scales]"
                    f" (defined: {listing(ins.scales)})",
                )
            )
            continue
        scale = ins.scale_of(item)
        out += _anchor_problems(item, scale, where)
        out += _code_clashes(item, scale, export_values, where)
    out += condition_problems(ins)
    out += score_problems(ins)
    tags = ins.now_moments.tags or []
    for n, tag in enumerate(tags):
        if tag in tags[:n] and not kept:  # the tag was offered twice
            out.append((f"now_moments.tags[{n}]", listed_twice(tag, "item")))
        elif tag not in items:
            out.append(
                (f"now_moments.tags[{n}]", f"{tag!r} names no item (items: {listing(items)})")
            )
    out += alert_problems(ins, kept)
    return out


def _anchor_problems(item: Item, scale: Scale, where: str) -> list[tuple[str, str]]:
    if item.anchors and isinstance(scale, TextScale):
        return [(f"{where}.anchors", "a free-text scale has no points to anchor")]
    out = []
    for point in item.anchors:
        if isinstance(scale, NumericScale):
            inside = _NUMBER.fullmatch(point) is not None and scale.contains(float(point))
            expected = f"a number from {scale.min} to {scale.max} in steps of {scale.step}"
        elif isinstance(scale, TextScale):
            continue
        else:
            inside = point in scale.allowed()
            expected = f"one of the scale's points: {', '.join(scale.allowed())}"
        if not inside:
            out.append(
                (
                    f"{where}.anchors.{quote_key(point)}",
                    f"point {point!r} is outside the scale; expected {expected}",
                )
            )
    return out


def _code_clashes(
    item: Item, scale: Scale, export_values: dict[str, str], where: str
) -> list[tuple[str, str]]:
    """A missing code exported as a value the scale can take would be read as that value."""
    out = []
    for k, code in enumerate(item.missing_codes):
        value = export_values.get(code)
        if value is None or isinstance(scale, TextScale):
            continue
        if isinstance(scale, NumericScale):
            clash = _is_number(value) and scale.min <= float(value) <= scale.max
        else:
            clash = value in scale.allowed()
        if clash:
            message = (
                f"{code!r} is exported as {value}, a value the item's scale can take; "
                "give the code an export value outside the scale"
            )
            out.append((f"{where}.missing_codes[{k}]", message))
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
