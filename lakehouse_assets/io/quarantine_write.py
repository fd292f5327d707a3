"""Rows set aside (rejected on load, dropped by rules) replace this run's partitions of
`<table>_quarantine`, so every run is idempotent; gold's quarantine mirrors its last build."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.framework_columns import QUARANTINED_AT, RUN_ID
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io import frames
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.quarantine_rows import as_text
from lakehouse_assets.io.table_lock import table_lock
from lakehouse_assets.tables.location import TableLocation, quarantine_location
from lakehouse_assets.tables.physical import INGESTED_DATE, partition_filter
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def write_quarantine(
    spark: SparkSession,
    capabilities: Capabilities,
    location: TableLocation,
    batch: TableBatch,
    run_id: str,
) -> dict[str, Any]:
    """Returns rows_quarantined (counted in the table after the write) and, when it wrote,
    quarantine_write_attempts. A table with nothing to set aside or clear is not rewritten."""
    from pyspark.sql import functions as F

    target = quarantine_location(location)
    if batch.rejected is None:
        return {"rows_quarantined": 0}
    exists = target.exists(spark)
    if (
        batch.partitions
        and exists
        and batch.rejected_rows == 0
        and not _in_partitions(spark, capabilities, target, batch)
    ):
        return {"rows_quarantined": 0}
    rejected = stamped_rejects(batch.rejected, run_id)
    if not batch.partitions:
        attempts = frames.write(rejected, target, "overwrite", merge_schema=True)
        return {
            "rows_quarantined": target.read(spark).count(),
            "quarantine_write_attempts": attempts,
        }
    if INGESTED_DATE not in rejected.columns:
        rejected = rejected.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
    if exists:
        attempts = _replace(rejected, target, batch.partitions, True)
    else:
        with table_lock(target.path, "create"):  # two runs may both find no quarantine table
            attempts = _replace(rejected, target, batch.partitions, target.exists(spark))
    return {
        "rows_quarantined": _in_partitions(spark, capabilities, target, batch),
        "quarantine_write_attempts": attempts,
    }


def stamped_rejects(rejected: DataFrame, run_id: str) -> DataFrame:
    """One schema for raw text and typed rows, stamped with the run that set them aside."""
    from pyspark.sql import functions as F

    return (
        as_text(rejected)
        .withColumn(RUN_ID, F.lit(run_id))
        .withColumn(QUARANTINED_AT, F.current_timestamp())
    )


def _replace(
    rejected: DataFrame, target: TableLocation, partitions: list[str], table_exists: bool
) -> int:
    where = partition_filter(INGESTED_DATE, partitions)
    return frames.write(
        rejected,
        target,
        "overwrite" if table_exists else "append",
        replace_where=where if table_exists else None,
        merge_schema=True,
        partition_by=None if table_exists else [INGESTED_DATE],
    )


def _in_partitions(
    spark: SparkSession, capabilities: Capabilities, target: TableLocation, batch: TableBatch
) -> int:
    return table_ops(spark, target, capabilities).rows_in_partitions(
        INGESTED_DATE, batch.partitions
    )
