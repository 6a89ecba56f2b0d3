"""The export floors as whole processes: what any program must do to write the same table
from a data folder, and nothing more (no validation, no ordering, no defusing).

    python benchmarks/floors.py csv|jsonl DATA_FOLDER OUT_FILE INSTRUMENT_TOML

- jsonl: read every month file, one `json.dumps` per final rating, one line each;
- csv: read every month file, the wide table's columns of each final rating, `csv.writer`.

Only the standard library is imported (the instrument's keys come from its TOML file), so the
floor's start-up is Python's own.
"""

from __future__ import annotations

import csv
import json
import sys
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def _shards(folder: Path) -> Iterator[Iterable[dict[str, Any]]]:
    """The ratings of each shard file. A month that has split keeps a node file naming its
    parts, which holds no ratings: it gives none."""
    for shard in sorted((folder / "ratings").glob("*.json")):
        yield json.loads(shard.read_bytes()).get("ratings", {}).values()


def jsonl(folder: Path, out: Path) -> int:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    rows = 0
    with out.open("wb") as handle:
        for records in _shards(folder):
            lines = [dumps(r) for r in records if r["status"] == "final"]
            handle.write(("\n".join(lines) + "\n").encode() if lines else b"")
            rows += len(lines)
    return rows


def _cell(value: object) -> object:
    if isinstance(value, list):
        return ";".join(map(str, value))
    return "" if value is None else value


def table(folder: Path, out: Path, instrument: Path) -> int:
    spec = tomllib.loads(instrument.read_text(encoding="utf-8"))
    fields = [f["key"] for f in spec.get("fields", [])]
    items = [i["key"] for i in spec.get("items", [])]
    codes = {c["code"]: c.get("export_value", c["code"]) for c in spec.get("missing_codes", [])}
    head = ["rating_id", "instrument_id", "instrument_version", "instrument_hash", *fields]
    head += ["status", *items, "created", "updated", "n_now_moments", "notes"]
    rows = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(head)
        for records in _shards(folder):
            for r in records:
                if r["status"] != "final":
                    continue
                ins, session, answers = r["instrument"], r["session"], r["answers"]
                row = [r["id"], ins["id"], ins["version"], ins["hash"]]
                row += [_cell(session.get(k)) for k in fields]
                row.append(r["status"])
                for k in items:
                    a = answers.get(k)
                    row.append(
                        ""
                        if a is None
                        else codes.get(a["missing"], a["missing"])
                        if "missing" in a
                        else _cell(a["value"])
                    )
                row += [r["created"], r["updated"], len(r["now_moments"]), r["notes"]]
                writer.writerow(row)
                rows += 1
    return rows


if __name__ == "__main__":
    kind, data, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    count = jsonl(data, target) if kind == "jsonl" else table(data, target, Path(sys.argv[4]))
    print(count)
