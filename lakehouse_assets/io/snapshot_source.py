"""The source of a merge from full snapshots (strategies/snapshot_cdc.py, scd2 from_snapshot):
a snapshot compared with silver becomes upserts of its rows plus a delete marker per silver key
it lacks (history_source: the scd2 variant, below).

The versions processed so far are kept in `<table>_snapshot_versions` (one row per version).
SCD1 (snapshot_source): a snapshot older than the newest processed one changes nothing, so
silver always equals the newest snapshot version seen, whatever order the days run in. A run
holding several days (a backfill) applies only its newest one, the state the others lead to.
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


def run_versions(location: TableLocation, partitions: list[str]) -> list[date]:
    """The snapshot versions of a run: its partition dates, oldest first."""
    if not partitions:
        raise ValueError(
            f"{location.label}: a snapshot is one daily partition; this run names none "
            "(materialize the silver asset by partition)"
        )
    return sorted({date.fromisoformat(p) for p in partitions})


def snapshot_source(
    spark: SparkSession,
    data: DataFrame,
    keys: list[str],
    location: TableLocation,
    partitions: list[str],
) -> tuple[DataFrame, dict[str, Any]]:
    """The merge source for the run's newest snapshot, and facts saying what was compared."""
    from pyspark.sql import functions as F

    version = run_versions(location, partitions)[-1]
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


def seen_versions(spark: SparkSession, location: TableLocation) -> list[date]:
    versions = versions_location(location)
    if not versions.exists(spark):
        return []
    return sorted(r[0] for r in versions.read(spark).select(SEEN).distinct().collect())


def history_source(
    spark: SparkSession,
    data: DataFrame,
    keys: list[str],
    location: TableLocation,
    partitions: list[str],
    valid_from: str,
    valid_to: str,
) -> tuple[DataFrame, dict[str, Any]]:
    """scd2 from snapshots: the events that place the run's snapshots in the history, in any
    processing order. For each snapshot version U of the run, among the versions processed
    (before or in this run), with p the one before U and n the one after:
    - each row of U is an event at U (scd2's event log keeps every one);
    - a key live at p (or at U, a re-run) that U lacks gets a delete marker at U;
    - a key of U not live at n (n processed earlier, when the key was unknown or absent) gets
      a delete marker at n, so a late older snapshot cannot reopen it for good.
    "Live at v" is read from silver's history (valid_from <= v < valid_to), so the cost is the
    run's snapshots plus a read of silver's versions by date."""
    from pyspark.sql import functions as F

    run = run_versions(location, partitions)
    every = sorted({*seen_versions(spark, location), *run})
    history = location.read(spark)

    def live(v: date) -> DataFrame:
        """Keys present at v: in the run's snapshot of v, else in silver's history."""
        if v in run:
            return data.where(F.col(VERSION) == F.lit(v)).select(*keys)
        return live_history(history, keys, valid_from, valid_to, v)

    def markers(found: DataFrame, v: date) -> DataFrame:
        return (
            found.select(*keys)
            .distinct()
            .select(
                *[
                    F.col(f.name)
                    if f.name in keys
                    else (F.lit(v) if f.name == VERSION else F.lit(None).cast(f.dataType)).alias(
                        f.name
                    )
                    for f in data.schema.fields
                ],
                F.lit(True).alias(ABSENT),
            )
        )

    pieces = [data.withColumn(ABSENT, F.lit(False))]
    for u in run:
        snap = data.where(F.col(VERSION) == F.lit(u)).select(*keys)
        i = every.index(u)
        held = live_history(history, keys, valid_from, valid_to, u)  # a re-run of u
        if i > 0:
            held = held.union(live(every[i - 1]))
        pieces.append(markers(held.join(snap, keys, "left_anti"), u))
        if i + 1 < len(every) and every[i + 1] not in run:
            n = every[i + 1]
            pieces.append(markers(snap.join(live(n), keys, "left_anti"), n))
    source = pieces[0]
    for piece in pieces[1:]:
        source = source.unionByName(piece)
    return source, {"snapshot_versions": ", ".join(str(v) for v in run)}


def live_history(
    history: DataFrame, keys: list[str], valid_from: str, valid_to: str, v: date
) -> DataFrame:
    """The keys whose version in silver's history covers snapshot version v."""
    from pyspark.sql import functions as F

    opened = F.col(valid_from) <= F.lit(v)
    closed = F.col(valid_to).isNotNull() & (F.col(valid_to) <= F.lit(v))
    return history.where(opened & ~closed).select(*keys)


def record_versions(spark: SparkSession, location: TableLocation, partitions: list[str]) -> None:
    """After the merge: a run that fails before it leaves its days unrecorded, to be re-run."""
    from pyspark.sql import functions as F

    versions = versions_location(location)
    new = spark.createDataFrame([(date.fromisoformat(p),) for p in partitions], f"{SEEN} DATE")
    if versions.exists(spark):
        new = new.join(versions.read(spark), SEEN, "left_anti")
    frames.write(new.select(F.col(SEEN)), versions, "append")
