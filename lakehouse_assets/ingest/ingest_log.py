"""The ingest log: which manifest entries a streaming contract's bronze runs have ingested.

An append-only Delta table under {path.ops}/ingest_log, written with delta-rs like the file
manifest. A run records `started` for the entries it is about to write, then writes them to
bronze, then records `done`. An entry with `started` and no `done` belongs to a run that died
somewhere in between: its rows may or may not be in bronze, so the next run replaces the day
(all of its entries) instead of appending (assets/bronze_stream.py).

Why not Delta's idempotent writes (`txnAppId`/`txnVersion`): Sail 0.7.2 ignores them (measured:
the same append with the same ids committed twice and the table held both copies).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Literal

import pyarrow as pa

from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.io.ops_tables import append_rows
from lakehouse_assets.storage.delta import delta_table, is_delta_table

State = Literal["started", "done"]

SCHEMA = pa.schema([
    pa.field("source", pa.string(), nullable=False),
    pa.field("file_path", pa.string(), nullable=False),
    pa.field("partition", pa.string(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("state", pa.string(), nullable=False),
    pa.field("at", pa.timestamp("us", tz="UTC"), nullable=False),
])  # fmt: skip


class IngestLog:
    def __init__(self, ops_path: str):
        self.path = f"{ops_path.rstrip('/')}/ingest_log"

    def states(self, source: str, partitions: list[str]) -> dict[str, set[str]]:
        """Entry path -> the states recorded for it, for these partitions of one source."""
        if not partitions or not is_delta_table(self.path):
            return {}
        table = delta_table(self.path).to_pyarrow_table(
            columns=["file_path", "state"],
            filters=[("source", "=", source), ("partition", "in", partitions)],
        )
        found: dict[str, set[str]] = defaultdict(set)
        for path, state in zip(
            table["file_path"].to_pylist(), table["state"].to_pylist(), strict=True
        ):
            found[path].add(state)
        return dict(found)

    def record(self, entries: list[ManifestEntry], run_id: str, state: State) -> None:
        if not entries:
            return
        now = datetime.now(timezone.utc)
        rows = pa.Table.from_pylist(
            [
                {
                    "source": e.source,
                    "file_path": e.file_path,
                    "partition": e.partition,
                    "run_id": run_id,
                    "state": state,
                    "at": now,
                }
                for e in entries
            ],
            schema=SCHEMA,
        )
        append_rows(self.path, rows, ["source", "partition"])
