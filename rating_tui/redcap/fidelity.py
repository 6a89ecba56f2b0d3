"""What `import-redcap` keeps beyond the basic field types: REDCap's own type and validation
(the `redcap` annotation), styled sub-labels (into help), conditions placed on fields or
items, and calculated fields usable as scores."""

from __future__ import annotations

import re
from typing import Any

from rating_tui.redcap.dictionary import Row, strip_html

_STANDARD_VALIDATION = {"", "integer", "number", "date_ymd"}


def origin(row: Row) -> dict[str, str] | None:
    """REDCap's type and validation, when `export-redcap` would not write them by itself."""
    if row.type in ("dropdown", "truefalse") or row.validation not in _STANDARD_VALIDATION:
        out = {"type": row.type}
        return out | {"validation": row.validation} if row.validation else out
    return None


STYLED = re.compile(r"<\s*(span|font|small|i|em)\b[^>]*>", re.IGNORECASE)
LINE_BREAK = re.compile(r"<\s*br\s*/?>|<\s*/p\s*>|<\s*/div\s*>", re.IGNORECASE)


def split_label(label: str) -> tuple[str, str]:
    """(label, sub-label): REDCap's styled second line (`Name<br><span style=...>(as on
    the form)</span>`) is a sub-label; it goes into help rather than into the label."""
    parts = LINE_BREAK.split(label, maxsplit=1)
    if len(parts) == 2 and STYLED.search(parts[1]) and strip_html(parts[0]):
        return strip_html(parts[0]), strip_html(parts[1])
    return strip_html(label), ""


def place_conditions(fields: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """REDCap names fields and checkboxes alike; a test names a session field or an item."""
    field_keys = {f["key"] for f in fields}

    def fix(node: dict[str, Any]) -> dict[str, Any]:
        if "all" in node or "any" in node:
            name = "all" if "all" in node else "any"
            return {name: [fix(n) for n in node[name]]}
        key = node.get("item", node.get("field"))
        rest = {k: v for k, v in node.items() if k not in ("item", "field")}
        return {"field" if key in field_keys else "item": key, **rest}

    for question in (*fields, *items):
        if isinstance(question.get("show_if"), dict):
            question["show_if"] = fix(question["show_if"])


def usable_scores(
    scores: list[dict[str, Any]],
    items: list[dict[str, Any]],
    lines: dict[str, int],
    warnings: list[str],
) -> list[dict[str, Any]]:
    """The calculated fields that average or add items on number scales; the rest warned."""
    numeric = {
        i["key"]
        for i in items
        if isinstance(i["scale"], dict)
        and i["scale"].get("type") in ("likert", "numeric", "yes_no")
    }
    out = []
    for score in scores:
        others = [k for k in score["items"] if k not in numeric]
        if others:
            line = lines.get(score["key"], 0)
            warnings.append(
                f"line {line}, {score['key']}: calculated field not carried "
                f"({', '.join(others)} are not items on a number scale)"
            )
        else:
            out.append(score)
    return out
