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


def _number(code: str) -> int | float | None:
    try:
        return int(code)
    except ValueError:
        try:
            return float(code)
        except ValueError:
            return None


def write_stats(
    path: Path, kind: Literal["sav", "dta"], plan: Plan, ratings: Iterable[Rating]
) -> int:
    """Write the wide table of `ratings` to `path` atomically; return the number of rows."""
    try:
        import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import pyreadstat  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise ExportError(INSTALL_HINT) from None
    header = wide_header(plan)
    columns = {c.name: c for c in plan.wide_columns}
    if kind == "dta" and (long := [n for n in header if len(n) > 32]):
        raise ExportError(f"Stata names are at most 32 characters: {', '.join(long)}")
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
    options: dict[str, Any] = {
        "column_labels": [columns[n].label for n in header],
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
