"""Rows a write added to some partitions, read from its Delta commits' add actions (each
file's `numRecords` statistic), not by scanning the table: what an append costs stays what
it wrote, however large the partition has grown.

The caller knows the versions around its write and that no one else wrote those partitions
in between (the ingest lock of assets/bronze_stream.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from lakehouse_assets.storage.files import read_bytes


@dataclass(frozen=True)
class Added:
    rows: int
    non_null: int  # rows where `column` (if asked for) is not NULL


def commit_path(table: str, version: int) -> str:
    return f"{table.rstrip('/')}/_delta_log/{version:020d}.json"


def rows_added(
    table: str, after: int, through: int, column: str, days: list[str], count: str | None = None
) -> Added | None:
    """Rows added by commits after version `after` through `through` to the partitions where
    `column` is one of `days`; None when a file has no row-count statistic (count otherwise)."""
    rows = non_null = 0
    for version in range(after + 1, through + 1):
        for line in read_bytes(commit_path(table, version)).decode().splitlines():
            add = json.loads(line).get("add") if line.strip() else None
            if not add or not add.get("dataChange", True):
                continue
            if (add.get("partitionValues") or {}).get(column) not in days:
                continue
            stats = json.loads(add.get("stats") or "{}")
            if "numRecords" not in stats:
                return None
            rows += int(stats["numRecords"])
            if count is not None:
                nulls = (stats.get("nullCount") or {}).get(count)
                if nulls is None:
                    return None
                non_null += int(stats["numRecords"]) - int(nulls)
    return Added(rows, non_null)
