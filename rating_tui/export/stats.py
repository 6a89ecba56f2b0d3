"""SPSS (.sav) and Stata (.dta) files through pyreadstat, with variable and value labels.

Optional: `pip install 'rating-tui[spss]'`. pyreadstat writes from a complete DataFrame, so
unlike CSV these files are built in memory (a few hundred bytes per rating). Numeric columns
get value labels for scale points and choices and, in SPSS, the instrument's missing-data
codes are declared as user-missing values, so -9 never counts as a score.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from rating_tui import outputs
from rating_tui.export.errors import ExportError
from rating_tui.export.output import PRIVATE
from rating_tui.export.plan import Plan
from rating_tui.export.tables import wide_header, wide_row
from rating_tui.ratings.model import Rating

INSTALL_HINT = "--format sav and dta need pyreadstat: pip install 'rating-tui[spss]'"

LIMITS = {"sav": (256, 120, 64), "dta": (80, 32000, 32)}
"""Per format: the longest variable label, value label and variable name it keeps, in UTF-8
bytes (SPSS) or characters (Stata's variable labels and names) and bytes (Stata's value
labels). pyreadstat cut SPSS's labels and Stata's value labels without a word, and refused
Stata's long variable labels with a traceback."""


def _cut(text: str, limit: int, count_bytes: bool) -> str:
    """`text` shortened to `limit` (bytes or characters) with an ellipsis, never mid-char."""
    size = len(text.encode()) if count_bytes else len(text)
    if size <= limit:
        return text
    room = limit - (len("…".encode()) if count_bytes else 1)
    kept = text.encode()[:room].decode(errors="ignore") if count_bytes else text[:room]
    return kept + "…"


def fit_labels(
    kind: Literal["sav", "dta"],
    labels: dict[str, str],
    value_labels: dict[str, dict[int | float, str]],
) -> list[str]:
    """Fit variable and value labels (changed in place) to what `kind` keeps, and say what
    changed in words; refuse names it cannot hold. The codebook keeps every label in full."""
    var_limit, value_limit, name_limit = LIMITS[kind]
    long_names = [n for n in labels if len(n.encode() if kind == "sav" else n) > name_limit]
    if long_names:
        program = "SPSS" if kind == "sav" else "Stata"
        raise ExportError(
            f"{program} names are at most {name_limit} characters: {', '.join(long_names)}"
        )
    cut_vars = []
    for name, label in labels.items():
        labels[name] = _cut(label, var_limit, kind == "sav")
        if labels[name] != label:
            cut_vars.append(name)
    cut_values, dropped = [], []
    for name, points in value_labels.items():
        for value, label in list(points.items()):
            if kind == "dta" and value != int(value):  # Stata labels whole numbers only
                dropped.append(f"{name} {value}")
                del points[value]
                continue
            points[value] = _cut(label, value_limit, True)
            if points[value] != label:
                cut_values.append(f"{name} {value}")
    unit = "bytes" if kind == "sav" else "characters"
    notes = []
    if cut_vars:
        notes.append(
            f"{len(cut_vars)} variable label(s) longer than {var_limit} {unit} shortened "
            f"with '…' ({', '.join(cut_vars)})"
        )
    if cut_values:
        notes.append(
            f"{len(cut_values)} value label(s) longer than {value_limit} bytes shortened "
            f"with '…' ({', '.join(cut_values)})"
        )
    if dropped:
        notes.append(
            f"{len(dropped)} value label(s) of values that are not whole numbers left out "
            f"(Stata labels whole numbers only: {', '.join(dropped)})"
        )
    return [f"{note}; the codebook (--codebook) has them in full" for note in notes]


def _number(code: str) -> int | float | None:
    try:
        return int(code)
    except ValueError:
        try:
            return float(code)
        except ValueError:
            return None


def write_stats(
    path: Path,
    kind: Literal["sav", "dta"],
    plan: Plan,
    ratings: Iterable[Rating],
    notes: list[str] | None = None,
) -> int:
    """Write the wide table of `ratings` to `path` atomically; return the number of rows.
    What the format could not keep as it was (a label shortened) is added to `notes`."""
    try:
        import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import pyreadstat  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise ExportError(INSTALL_HINT) from None
    header = wide_header(plan)
    columns = {c.name: c for c in plan.wide_columns}
    frame = pd.DataFrame([wide_row(plan, r) for r in ratings], columns=header, dtype=object)
    value_labels: dict[str, dict[int | float, str]] = {}
    missing: dict[str, list[int | float]] = {}
    for name, column in columns.items():
        if column.type in ("integer", "number"):
            frame[name] = pd.to_numeric(frame[name].replace("", None), errors="coerce")
            labels = {
                n: label for code, label in column.values + column.missing
                if (n := _number(code)) is not None
            }  # fmt: skip
            if labels:
                value_labels[name] = labels
            codes = [n for code, _ in column.missing if (n := _number(code)) is not None]
            if codes:
                missing[name] = codes
        else:
            frame[name] = frame[name].astype(str)
    var_labels = {n: columns[n].label for n in header}
    said = fit_labels(kind, var_labels, value_labels)
    if notes is not None:
        notes += said
    options: dict[str, Any] = {
        "column_labels": [var_labels[n] for n in header],
        "variable_value_labels": value_labels,
    }
    if kind == "sav":
        options["missing_ranges"] = missing
    writer = pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta
    if outputs.output_kind(path) == "stream":  # a FIFO or device: never renamed over
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder) / f"export.{kind}"
            writer(frame, str(tmp), **options)
            with tmp.open("rb") as source, outputs.atomic_output(path) as sink:
                shutil.copyfileobj(source, sink)
        return len(frame)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    try:
        writer(frame, tmp_name, **options)
        Path(tmp_name).chmod(PRIVATE)
        outputs.output_kind(path)  # still a regular file or absent
        Path(tmp_name).replace(path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return len(frame)
