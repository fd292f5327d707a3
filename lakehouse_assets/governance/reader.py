"""TableReader: governed reads of a contract's table.

    reader = TableReader("silver/shop/customers")
    reader.read()                                   # the whole table
    reader.read(filter="country = 'ES'")            # with a Spark SQL filter
    reader.read_partition({"_ingested_date": "2024-01-02"})
    reader.read(version=3) / reader.read(timestamp="2024-01-02T10:00:00Z")   # time travel
    reader.history()                                # commits, newest first
    reader.changes(2, 5)                            # what changed in versions 2..5

changes(): the Change Data Feed where the engine has it and the table has it on. Elsewhere (Sail
has no CDF) the documented equivalent computed from two versions and the merge keys: rows of
version end that are not in version start-1 are `insert`, rows gone are `delete`, keys whose
values differ give an `update_preimage` and an `update_postimage` row; `_commit_version` is the
end version. These are net changes: a row inserted and deleted inside the range does not show,
and an update is reported once however many commits touched it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from lakehouse_assets.governance.handle import GovernedAccess, equals
from lakehouse_assets.strategies.base import row_hash
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


CHANGE_TYPE, COMMIT_VERSION = "_change_type", "_commit_version"


class TableReader(GovernedAccess):
    def read(
        self,
        filter: str | None = None,
        version: int | None = None,
        timestamp: str | datetime | None = None,
    ) -> DataFrame:
        if version is not None and timestamp is not None:
            raise ValueError("give version or timestamp, not both")
        if timestamp is not None:
            version = self.version_at(timestamp)
        df = self.table.location.read(self.table.spark, version)
        return df.where(filter) if filter else df

    def read_partition(self, partition: dict[str, Any], version: int | None = None) -> DataFrame:
        return self.read(equals(partition), version=version)

    def history(self, limit: int | None = None) -> list[dict[str, Any]]:
        t = self.table
        return table_ops(t.spark, t.location, t.capabilities).history(limit)

    def version(self) -> int:
        t = self.table
        return table_ops(t.spark, t.location, t.capabilities).version()

    def version_at(self, timestamp: str | datetime) -> int:
        """The latest version committed at or before `timestamp` (naive = UTC)."""
        when = datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        commits = [(int(h["version"]), _commit_time(h["timestamp"])) for h in self.history()]
        before = [v for v, ts in commits if ts <= when]
        if not before:
            first = min(ts for _, ts in commits)
            raise ValueError(
                f"{self.table.location.label}: no version at {when.isoformat()}; "
                f"the first commit is at {first.isoformat()}"
            )
        return max(before)

    def changes(
        self, start_version: int, end_version: int | None = None, keys: list[str] | None = None
    ) -> DataFrame:
        t = self.table
        end = self.version() if end_version is None else end_version
        if start_version > end:
            raise ValueError(f"start_version {start_version} is after end_version {end}")
        if t.capabilities.change_data_feed and t.contract.change_data_feed:
            reader = (
                t.spark.read.format("delta")
                .option("readChangeFeed", "true")
                .option("startingVersion", start_version)
                .option("endingVersion", end)
            )
            return (
                reader.load(t.location.path)
                if t.location.by_path
                else reader.table(t.location.sql_ref)
            )
        keys = keys or t.merge_keys
        if not keys:
            raise ValueError(
                f"{t.location.label}: computing changes without Change Data Feed "
                "needs keys=[...] (no promotion contract declares merge_keys)"
            )
        return diff_versions(self, start_version, end, keys)


def diff_versions(reader: TableReader, start: int, end: int, keys: list[str]) -> DataFrame:
    from pyspark.sql import functions as F

    after = reader.read(version=end)
    before = reader.read(version=start - 1) if start > 0 else after.limit(0)
    columns = after.columns
    values = [c for c in columns if c not in keys]
    fingerprint = F.expr(row_hash(values))
    b = before.select(*columns, fingerprint.alias("_fp"), F.lit(True).alias("_in"))
    a = after.select(*columns, fingerprint.alias("_fp"), F.lit(True).alias("_in"))
    on = [b[k] == a[k] for k in keys]
    joined = b.alias("b").join(a.alias("a"), on, "full_outer")

    def side(alias: str, change: str) -> list[Any]:
        return [
            *[F.col(f"{alias}.{c}").alias(c) for c in columns],
            F.lit(change).alias(CHANGE_TYPE),
            F.lit(end).alias(COMMIT_VERSION),
        ]

    inserted = joined.where(F.col("b._in").isNull()).select(*side("a", "insert"))
    deleted = joined.where(F.col("a._in").isNull()).select(*side("b", "delete"))
    updated = joined.where(
        F.col("a._in").isNotNull() & F.col("b._in").isNotNull() & (F.col("a._fp") != F.col("b._fp"))
    )
    return (
        inserted.unionByName(deleted)
        .unionByName(updated.select(*side("b", "update_preimage")))
        .unionByName(updated.select(*side("a", "update_postimage")))
    )


def _commit_time(value: Any) -> datetime:
    """delta-rs gives epoch milliseconds, DESCRIBE HISTORY a timestamp."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
