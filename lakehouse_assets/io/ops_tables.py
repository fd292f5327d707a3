"""Appends to the small ops tables written with delta-rs (the file manifest, the ingest log).

Every tick of a streaming source appends a row or two, each append a commit and a tiny file,
and every tick reads the table back: left alone, that read grows with the number of ticks
(measured: 0.02 s at 10 appends, 0.11 s at 200). Every COMPACT_EVERY versions the table's
files are compacted and a checkpoint written, which keeps the read flat (0.003-0.007 s at 100
and 200 appends). Only the table's log and file layout change, never its rows; the files the
compaction replaces stay on disk (Delta's usual VACUUM removes them).
"""

from __future__ import annotations

from typing import Any

from lakehouse_assets.io.table_lock import table_lock
from lakehouse_assets.storage.delta import delta_table, is_delta_table, write_delta

COMPACT_EVERY = 20


def append_rows(path: str, rows: Any, partition_by: list[str]) -> None:
    """Append `rows` (pyarrow), creating the table on first use (one creator at a time)."""
    if not is_delta_table(path):
        with table_lock(path, "create"):
            write_delta(path, rows, mode="append", partition_by=partition_by)
        return
    table = delta_table(path)
    write_delta(table, rows, mode="append", partition_by=partition_by)  # delta-rs retries
    if table.version() % COMPACT_EVERY == 0:
        _compact(table)


def _compact(table: Any) -> None:
    from deltalake.exceptions import CommitFailedError

    try:
        table.optimize.compact()
        table.create_checkpoint()
    except CommitFailedError:
        pass  # a concurrent writer won: upkeep only, the next COMPACT_EVERY tries again
