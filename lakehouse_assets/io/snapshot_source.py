"""The source of a merge from full snapshots (strategies/snapshot_cdc.py): a snapshot compared
with silver becomes upserts of its rows plus a delete marker per silver key it lacks.

The versions processed so far are kept in `<table>_snapshot_versions` (one row per version),
so a snapshot older than the newest processed one changes nothing: silver always equals the
newest snapshot version seen, whatever order the days run in. A run holding several days (a
backfill) applies only its newest one, the state the others lead to in version order.
Cost: the snapshot plus one read of silver's keys, since a key's absence can only be told by
comparing all keys; the versions table is one row per day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from lakehouse_assets.io import frames
from lakehouse_assets.strategies.snapshot_cdc import ABSENT, VERSION, VERSIONS_SUFFIX
from lakehouse_assets.tables.location import TableLocation, sibling_location

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SEEN = "_snapshot_version"  # the versions table's one column


def versions_location(location: TableLocation) -> TableLocation:
    return sibling_location(location, VERSIONS_SUFFIX)


def newest_seen(spark: SparkSession, location: TableLocation) -> date | None:
    versions = versions_location(location)
    if not versions.exists(spark):
        return None
    row = versions.read(spark).agg({SEEN: "max"}).collect()[0]
    return row[0]


def snapshot_source(
    spark: SparkSession,
    data: DataFrame,
    keys: list[str],
    location: TableLocation,
    partitions: list[str],
) -> tuple[DataFrame, dict[str, Any]]:
    """The merge source for the run's newest snapshot, and facts saying what was compared."""
    from pyspark.sql import functions as F

    version = date.fromisoformat(max(partitions))
    seen = newest_seen(spark, location)
    facts: dict[str, Any] = {"snapshot_version": str(version)}
    if seen is not None and version < seen:
        facts["snapshot_skipped"] = f"older than the newest snapshot processed ({seen})"
        return data.limit(0).withColumn(ABSENT, F.lit(False)), facts
    snap = data.where(F.col(VERSION) == F.lit(version)).withColumn(ABSENT, F.lit(False))
    gone = location.read(spark).select(*keys).join(snap.select(*keys), keys, "left_anti")
    markers = gone.select(
        *[
            F.col(f.name) if f.name in keys else F.lit(None).cast(f.dataType).alias(f.name)
            for f in data.schema.fields
        ],
        F.lit(True).alias(ABSENT),
    )
    return snap.unionByName(markers), facts


def record_versions(spark: SparkSession, location: TableLocation, partitions: list[str]) -> None:
    """After the merge: a run that fails before it leaves its days unrecorded, to be re-run."""
    from pyspark.sql import functions as F

    versions = versions_location(location)
    new = spark.createDataFrame([(date.fromisoformat(p),) for p in partitions], f"{SEEN} DATE")
    if versions.exists(spark):
        new = new.join(versions.read(spark), SEEN, "left_anti")
    frames.write(new.select(F.col(SEEN)), versions, "append")
