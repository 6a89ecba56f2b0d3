"""REDCap data dictionaries as rows: reading the CSV (with line numbers), writing it, and
the small text formats inside its cells (choices, HTML labels, our own annotation tag).

REDCap's dictionary has 18 standard columns. Labels may hold HTML; choices are written
`1, Label | 2, Label`. A rating-tui instrument has more than REDCap can express (anchors,
missing codes, roles, patterns), so `export-redcap` stores that in the field annotation as
`@RATING-TUI={...}` (REDCap keeps unknown annotation text as it is), which makes the round
trip exact; dictionaries from elsewhere are read from the standard columns alone.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rating_tui.instruments.problems import Problem

COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
TAG = "@RATING-TUI="
_TAGS = re.compile(r"<[^>]*>")
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    """One dictionary row, by REDCap's column meaning, with the line it starts on."""

    line: int
    name: str
    form: str
    section: str
    type: str
    label: str
    choices: str
    note: str
    validation: str
    min: str
    max: str
    identifier: str
    branching: str
    required: str
    annotation: str
    matrix: str


def read_rows(text: str, file: str) -> tuple[list[Row], list[Problem]]:
    """The rows of a dictionary CSV; malformed rows become problems with their line."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[Row] = []
    start = 1
    try:
        header = next(reader, None)
        if header is None or not header or "variable" not in header[0].lower():
            expected = f"{COLUMNS[0]!r}, {COLUMNS[1]!r}, ..."
            message = f"is not a REDCap data dictionary: the first line should be {expected}"
            return [], [Problem(file, message, line=1)]
        if len(header) < 6:
            message = f"has {len(header)} columns; a REDCap dictionary has 18 (at least 6)"
            return [], [Problem(file, message, line=1)]
        width = len(header)
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > width:
                message = f"has {len(cells)} cells, the header {width}: quote cells with commas"
                problems.append(Problem(file, message, line=line))
                continue
            rows.append(_row(line, [x.strip() for x in cells] + [""] * (18 - len(cells))))
    except csv.Error as exc:
        problems.append(Problem(file, f"is not valid CSV ({exc})", line=start))
    return rows, problems


def _row(line: int, c: list[str]) -> Row:
    lower = [x.lower() for x in c]
    return Row(line, c[0], c[1], c[2], lower[3], c[4], c[5], c[6], lower[7], c[8], c[9],
               lower[10], c[11], lower[12], c[17], c[15])  # fmt: skip


def strip_html(text: str) -> str:
    """Label text without HTML tags or entities, whitespace collapsed (REDCap allows HTML)."""
    return " ".join(html.unescape(_TAGS.sub("", _BREAKS.sub(" ", text))).split())


def parse_choices(cell: str) -> Iterator[tuple[str, str] | str]:
    """`1, Label | 2, Label` -> ("1", "Label"), ...; a part without a comma is yielded as
    text, for the caller to report."""
    for part in cell.replace("\\n", "|").split("|"):
        if not part.strip():
            continue
        code, comma, label = part.partition(",")
        if not comma or not code.strip():
            yield part.strip()
        else:
            yield code.strip(), strip_html(label)


def code_value(code: str) -> int | str:
    """REDCap codes are text; whole numbers become integers (as our choice codes are)."""
    return int(code) if re.fullmatch(r"-?\d+", code) else code


class UnwritableLabel(ValueError):
    """A label REDCap would split into other choices; the message says which and why."""


def choices_cell(pairs: Sequence[tuple[object, str]], where: str = "") -> str:
    """`1, Label | 2, Label`. REDCap splits the cell at every `|` (and line break), with no
    way to escape one: a label holding one would become other choices there, so it is
    refused in words rather than written."""
    for code, label in pairs:
        if "|" in label or "\n" in label or "\\n" in label:
            raise UnwritableLabel(
                f"{where or 'a choice'}: the label of {code} ({label!r}) holds '|' or a line "
                "break, which REDCap reads as the start of another choice; change the label "
                "(in a new version of the instrument) to export it to REDCap"
            )
    return " | ".join(f"{code}, {label}" for code, label in pairs)


def annotation_data(annotation: str) -> dict[str, Any] | None:
    """The JSON object after `@RATING-TUI=` in a field annotation, or None."""
    at = annotation.find(TAG)
    if at < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(annotation[at + len(TAG) :])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def annotation_text(data: dict[str, Any]) -> str:
    return TAG + json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_csv(rows: Sequence[Sequence[str]]) -> str:
    """The dictionary CSV text (header + rows), as REDCap's upload expects it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()
