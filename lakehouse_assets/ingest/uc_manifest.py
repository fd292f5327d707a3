"""The file manifest as a Unity Catalog table, written and read through the session.

Same interface and meaning as ingest/manifest.py's FileManifest (a landing file is assigned to
one bronze partition, once), for databricks mode: the Dagster host may be outside the workspace,
so the manifest cannot be a Delta table that delta-rs writes at a local path. It is the managed
table `<catalog>.<schema>.file_manifest`, created (with its schema) on first write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.identifiers import literal, quote, sql_string
from lakehouse_assets.ingest.landing import LandingFile
from lakehouse_assets.ingest.manifest import ManifestEntry, unassigned

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

COLUMNS = ("source", "file_path", "size", "mtime", "partition", "assigned_at", "assigned_by")
DDL = (
    "source STRING NOT NULL, file_path STRING NOT NULL, size BIGINT, mtime DOUBLE, "
    "`partition` STRING NOT NULL, assigned_at TIMESTAMP NOT NULL, assigned_by STRING"
)
# How Databricks (and Spark) say a table does not exist: nothing assigned yet.
NOT_FOUND = ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND")


class UnityCatalogManifest:
    def __init__(self, session: Callable[[], SparkSession], catalog: str, schema: str):
        """`session` is asked only when the manifest is read or written (sensors build theirs
        at load time, when no engine may start)."""
        self._session = session
        self.schema = f"{quote(catalog)}.{quote(schema)}"
        self.table = f"{self.schema}.{quote('file_manifest')}"

    def entries(self, source: str) -> dict[str, ManifestEntry]:
        """Every file of one source already assigned, by path (the first assignment wins)."""
        columns = ", ".join(quote(c) for c in COLUMNS)
        query = (
            f"SELECT {columns} FROM {self.table} WHERE source = {sql_string(source)} "
            "ORDER BY assigned_at, file_path"
        )
        try:
            rows = self._session().sql(query).collect()
        except Exception as exc:
            if any(marker in str(exc) for marker in NOT_FOUND):
                return {}
            raise
        found: dict[str, ManifestEntry] = {}
        for row in rows:
            values = row.asDict()
            values["assigned_by"] = values["assigned_by"] or ""
            found.setdefault(values["file_path"], ManifestEntry(**values))
        return found

    def assign(
        self,
        source: str,
        files: list[LandingFile],
        partitions: dict[str, str],
        by: str,
        known: dict[str, ManifestEntry] | None = None,
    ) -> list[ManifestEntry]:
        """Record files not yet assigned (path -> partition); returns the new entries."""
        known = self.entries(source) if known is None else known
        new = unassigned(source, files, partitions, by, known)
        if new:
            spark = self._session()
            spark.sql(f"CREATE SCHEMA IF NOT EXISTS {self.schema}").collect()
            spark.sql(
                f"CREATE TABLE IF NOT EXISTS {self.table} ({DDL}) CLUSTER BY (source)"
            ).collect()
            values = ", ".join(
                "(" + ", ".join(literal(getattr(e, c)) for c in COLUMNS) + ")" for e in new
            )
            spark.sql(f"INSERT INTO {self.table} VALUES {values}").collect()
        return new

    def files_for(self, source: str, partition: str) -> list[ManifestEntry]:
        return sorted(
            (e for e in self.entries(source).values() if e.partition == partition),
            key=lambda e: e.file_path,
        )
