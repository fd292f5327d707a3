"""The file manifest: which landing file went into which bronze partition, exactly once.

A small Delta table under {path.ops}/file_manifest, written with delta-rs so that sensors and
assets share it without a Spark session. A file (by path) is assigned once and stays in its
partition, so re-running or backfilling a partition reads the same files and gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa

from lakehouse_assets.ingest.landing import LandingFile
from lakehouse_assets.io.ops_tables import append_rows
from lakehouse_assets.storage.delta import delta_table, is_delta_table

SCHEMA = pa.schema([
    pa.field("source", pa.string(), nullable=False),
    pa.field("file_path", pa.string(), nullable=False),
    pa.field("size", pa.int64()),
    pa.field("mtime", pa.float64()),
    pa.field("partition", pa.string(), nullable=False),
    pa.field("assigned_at", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("assigned_by", pa.string()),
])  # fmt: skip


@dataclass(frozen=True)
class ManifestEntry:
    source: str
    file_path: str
    size: int
    mtime: float
    partition: str
    assigned_at: datetime
    assigned_by: str = ""


def unassigned(
    source: str,
    files: list[LandingFile],
    partitions: dict[str, str],
    by: str,
    known: dict[str, ManifestEntry],
) -> list[ManifestEntry]:
    """Entries (stamped now) for the files not in `known`: what either manifest records."""
    now = datetime.now(timezone.utc)
    return [
        ManifestEntry(source, f.path, f.size, f.mtime, partitions[f.path], now, by)
        for f in files
        if f.path not in known
    ]


class FileManifest:
    def __init__(self, ops_path: str):
        self.path = f"{ops_path.rstrip('/')}/file_manifest"

    def _exists(self) -> bool:
        return is_delta_table(self.path)

    def entries(self, source: str) -> dict[str, ManifestEntry]:
        """Every file of one source already assigned, by path (the first assignment wins)."""
        if not self._exists():
            return {}
        table = delta_table(self.path).to_pyarrow_table(filters=[("source", "=", source)])
        found: dict[str, ManifestEntry] = {}
        for row in table.sort_by([("assigned_at", "ascending")]).to_pylist():
            found.setdefault(
                row["file_path"],
                ManifestEntry(
                    row["source"],
                    row["file_path"],
                    row["size"],
                    row["mtime"],
                    row["partition"],
                    row["assigned_at"],
                    row["assigned_by"] or "",
                ),
            )
        return found

    def assign(
        self,
        source: str,
        files: list[LandingFile],
        partitions: dict[str, str],
        by: str,
        known: dict[str, ManifestEntry] | None = None,
    ) -> list[ManifestEntry]:
        """Record files not yet assigned (path -> partition); returns the new entries.

        `known` (the source's entries, just read) saves a second read of the manifest.
        """
        known = self.entries(source) if known is None else known
        new = unassigned(source, files, partitions, by, known)
        if new:
            rows = pa.Table.from_pylist([e.__dict__ for e in new], schema=SCHEMA)
            append_rows(self.path, rows, ["source"])  # compacted now and then: reads stay flat
        return new

    def files_for(self, source: str, partition: str) -> list[ManifestEntry]:
        return sorted(
            (e for e in self.entries(source).values() if e.partition == partition),
            key=lambda e: e.file_path,
        )
