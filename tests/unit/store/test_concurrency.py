"""Two processes saving at the same time into one data folder lose nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from rating_tui.store import Store

PER_PROCESS = 200


def test_two_processes_each_saving_200_ratings_keep_all_400(
    tmp_path: Path, writer_command: list[str]
) -> None:
    data = tmp_path / "data"
    Store.open(data)  # created once, so both writers start on the same folder
    writers = [
        subprocess.Popen(
            [
                *writer_command,
                str(data),
                "many",
                str(PER_PROCESS),
                tag,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("left", "right")
    ]
    outputs = [w.communicate(timeout=120) for w in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
    acked = {
        line.split()[1]: line.split()[2]
        for out, _ in outputs
        for line in out.splitlines()
        if line.startswith("ok ")
    }
    assert len(acked) == 2 * PER_PROCESS

    store = Store.open(data)
    stored = {r.id: r.notes.split(":")[0] for r in store.iter_all()}
    assert stored == acked
    assert len(store.list(limit=None)) == 2 * PER_PROCESS
    for shard in (data / "ratings").glob("*.json"):
        json.loads(shard.read_bytes())  # every file parses
    for rating_id in acked:
        assert store.get(rating_id).id == rating_id  # and the index knows every rating
