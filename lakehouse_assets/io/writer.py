"""Write one asset's judged batch: create the table from its contract, then replace (bronze
partitions), merge (silver, by its strategy) or overwrite (gold); then its quarantine.

Each write runs again when a concurrent writer of the table takes its commit (io/frames.py;
`write_attempts`). Returns the facts recorded as Dagster metadata; `rows_written` and
`rows_quarantined` are counted from what was written, for the row accounting.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io import frames
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.bronze_append import append_partitions, append_quarantine
from lakehouse_assets.io.conform import conform
from lakehouse_assets.io.metadata_keys import PARTITION_ROW_COUNT, ROW_COUNT
from lakehouse_assets.io.quarantine_write import write_quarantine
from lakehouse_assets.io.silver_merge import merge_silver
from lakehouse_assets.io.table_creation import ensure_table
from lakehouse_assets.tables.location import TableLocation
from lakehouse_assets.tables.physical import (
    INGESTED_DATE,
    RESCUED_DATA,
    partition_columns,
    partition_filter,
    physical_columns,
)
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def write_batch(
    spark: SparkSession,
    capabilities: Capabilities,
    asset: TableAsset,
    location: TableLocation,
    batch: TableBatch,
    run_id: str,
) -> dict[str, Any]:
    started = time.perf_counter()
    skipped = ensure_table(
        spark,
        capabilities,
        asset.contract,
        physical_columns(asset),
        partition_columns(asset),
        location,
    )
    facts: dict[str, Any] = dict(batch.facts)
    if asset.kind == "bronze" and batch.append:
        facts.update(append_partitions(spark, capabilities, asset, location, batch))
    elif asset.kind == "bronze":
        facts.update(_replace_partitions(spark, asset, location, batch))
    elif asset.kind == "silver":
        facts.update(merge_silver(spark, capabilities, asset, location, batch))
    else:
        data = conform(batch.data, physical_columns(asset), location.label)
        facts["write_attempts"] = frames.write(data, location, "overwrite")
        facts["rows_written"] = location.read(spark).count()
    if batch.append:
        facts.update(append_quarantine(spark, capabilities, location, batch, run_id))
    elif batch.partitions or batch.rejected is not None:
        facts.update(write_quarantine(spark, capabilities, location, batch, run_id))
    ops = table_ops(spark, location, capabilities)
    if "delta_version" not in facts:  # the key-slice merge knows the version it wrote
        facts["delta_version"] = ops.version()
    # Dagster's row-count conventions, which the UI charts: the whole table, and one
    # partition's rows when the run wrote exactly one (a range's runs share one count).
    facts[ROW_COUNT] = facts["rows_written"] if asset.kind.startswith("gold") else ops.row_count()
    if asset.kind == "bronze" and len(batch.partitions) == 1:
        facts[PARTITION_ROW_COUNT] = facts.get("partition_rows", facts["rows_written"])
    facts["table"] = location.label
    if location.path:
        facts["path"] = location.path
    if batch.partitions:
        facts["partitions"] = ", ".join(sorted(batch.partitions))
    if skipped:
        facts["skipped_properties"] = "; ".join(skipped)
    facts["duration_s"] = round(time.perf_counter() - started, 3)
    return facts


def _replace_partitions(
    spark: SparkSession, asset: TableAsset, location: TableLocation, batch: TableBatch
) -> dict[str, Any]:
    """Bronze: the batch replaces its _ingested_date partitions; counted back from the table."""
    from pyspark.sql import functions as F

    where = partition_filter(INGESTED_DATE, batch.partitions)
    data = batch.data
    if INGESTED_DATE not in data.columns:
        data = data.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
    attempts = frames.write(
        conform(data, physical_columns(asset), location.label),
        location,
        "overwrite",
        replace_where=where,
    )
    table = location.read(spark).where(where)
    if RESCUED_DATA not in table.columns:
        return {"rows_written": table.count(), "write_attempts": attempts}
    counts = table.select(
        F.count(F.lit(1)).alias("n"), F.count(RESCUED_DATA).alias("rescued")
    ).collect()[0]
    return {
        "rows_written": int(counts["n"]),
        "write_attempts": attempts,
        "rows_with_rescued_data": int(counts["rescued"]),
    }
