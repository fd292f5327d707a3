"""Bronze append: an available-now run of a streaming contract adds its new entries' rows to
the day's partition, and their rejects to the quarantine, without reading what is there.

The counts for the row accounting come from the write itself (the add actions of the commits
it made: tables/commits.py), never from the partition, which grows with every tick. A table
with no path (a catalog table on Databricks) has no log to read here: it counts the partition
before and after (day-proportional, but still independent of the batch's own count).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io import frames
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.conform import conform
from lakehouse_assets.io.quarantine_write import stamped_rejects
from lakehouse_assets.io.table_lock import table_lock
from lakehouse_assets.tables.commits import rows_added
from lakehouse_assets.tables.location import TableLocation, quarantine_location
from lakehouse_assets.tables.physical import (
    INGESTED_DATE,
    RESCUED_DATA,
    partition_filter,
    physical_columns,
)
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from lakehouse_assets.contracts.project import TableAsset


def append_partitions(
    spark: SparkSession,
    capabilities: Capabilities,
    asset: TableAsset,
    location: TableLocation,
    batch: TableBatch,
) -> dict[str, Any]:
    """rows_written (and rows_with_rescued_data) counted from the commit; partition_rows (the
    day's rows, for Dagster's partition row count) from the log's statistics."""
    from pyspark.sql import functions as F

    facts: dict[str, Any] = {}
    if batch.facts.get("files_read", 0):  # nothing new: no empty commit
        data = batch.data
        if INGESTED_DATE not in data.columns:
            data = data.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
        data = conform(data, physical_columns(asset), location.label)
        rescued = RESCUED_DATA if RESCUED_DATA in data.columns else None
        facts.update(_appended(spark, capabilities, location, batch.partitions, data, rescued))
    else:
        facts["rows_written"] = 0
    ops = table_ops(spark, location, capabilities)  # opened after the write: sees it
    facts["partition_rows"] = ops.rows_in_partitions(INGESTED_DATE, batch.partitions)
    return facts


def append_quarantine(
    spark: SparkSession,
    capabilities: Capabilities,
    location: TableLocation,
    batch: TableBatch,
    run_id: str,
) -> dict[str, Any]:
    """rows_quarantined: the rows this run appended to `<table>_quarantine` (from its commit)."""
    from pyspark.sql import functions as F

    if batch.rejected is None or not batch.rejected_rows:
        return {"rows_quarantined": 0}
    target = quarantine_location(location)
    rejected = stamped_rejects(batch.rejected, run_id)
    if INGESTED_DATE not in rejected.columns:
        rejected = rejected.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
    with table_lock(target.path, "create"):  # two runs may both find no quarantine table
        counted = _appended(
            spark, capabilities, target, batch.partitions, rejected, None, quarantine=True
        )
    return {
        "rows_quarantined": counted["rows_written"],
        "quarantine_write_attempts": counted["write_attempts"],
    }


def _appended(
    spark: SparkSession,
    capabilities: Capabilities,
    location: TableLocation,
    days: list[str],
    data: DataFrame,
    rescued: str | None,
    quarantine: bool = False,
) -> dict[str, Any]:
    """Append `data`; rows_written counted from the commits it made (see the module doc)."""
    existed = location.exists(spark)
    before = table_ops(spark, location, capabilities).version() if existed else -1
    attempts = frames.write(
        data,
        location,
        "append",
        merge_schema=quarantine,  # the quarantine's columns follow the contract, as replaced
        partition_by=[INGESTED_DATE] if quarantine and not existed else None,
    )
    after = table_ops(spark, location, capabilities).version()
    added = (
        rows_added(location.path, before, after, INGESTED_DATE, days, rescued)
        if location.path
        else None
    )
    if added is not None:
        facts: dict[str, Any] = {"rows_written": added.rows, "write_attempts": attempts}
        if rescued is not None:
            facts["rows_with_rescued_data"] = added.non_null
        return facts
    # No log to read here (a catalog table) or files without statistics: the partition at the
    # two versions (day-proportional, still independent of the batch's own count).
    where = partition_filter(INGESTED_DATE, days)
    was = location.read(spark, before).where(where).count() if existed else 0
    return {
        "rows_written": location.read(spark, after).where(where).count() - was,
        "write_attempts": attempts,
    }
