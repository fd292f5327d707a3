"""Writes one asset's batch: create the table from its contract, then replace, merge or overwrite.

Bronze replaces its _ingested_date partition(s); silver runs its strategy's merge plan; gold is
overwritten. Rejected rows replace the same partition(s) of <table>_quarantine, so every run
is idempotent. Each write runs again when a concurrent writer of the table takes its commit
(io/frames.py; `write_attempts`, `quarantine_write_attempts`). Returns the facts recorded as
Dagster metadata.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io import frames
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.merge_execution import execute_merge
from lakehouse_assets.io.quarantine_rows import as_text
from lakehouse_assets.io.table_lock import table_lock
from lakehouse_assets.strategies import companion, planner
from lakehouse_assets.strategies.base import NOW, MergeContext
from lakehouse_assets.tables.ddl import create_table_plan
from lakehouse_assets.tables.location import (
    TableLocation,
    locate_key,
    quarantine_location,
    sibling_location,
)
from lakehouse_assets.tables.physical import (
    INGESTED_DATE,
    RESCUED_DATA,
    SILVER_CREATED,
    SILVER_MODIFIED,
    partition_columns,
    partition_filter,
    physical_columns,
)
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

def managed_columns(asset: TableAsset) -> set[str]:
    """Silver columns the strategy maintains rather than copies from the source."""
    if asset.promotion is None:
        return set()
    names = {SILVER_CREATED, SILVER_MODIFIED}
    if asset.promotion.strategy == "cdc_merge":
        names.add(soft_delete_column(asset) or "")
    if asset.promotion.strategy == "scd2":
        s = asset.promotion.scd2
        names |= {s.valid_from, s.valid_to, s.is_current}
    return names - {""}


def soft_delete_column(asset: TableAsset) -> str | None:
    return "is_deleted" if "is_deleted" in asset.contract.column_names else None


class TableWriterForAsset:
    def __init__(
        self, spark: SparkSession, capabilities: Capabilities, project: Project, asset: TableAsset
    ):
        self.spark = spark
        self.capabilities = capabilities
        self.project = project
        self.asset = asset
        self.location = locate_key(project, asset.key, capabilities)

    # -- table creation ----------------------------------------------------------------------
    def ensure_table(self) -> list[str]:
        """Create the table from its contract if it does not exist; returns what was skipped."""
        if self.location.exists(self.spark):
            return []
        with table_lock(self.location.path, "create"):
            if self.location.exists(self.spark):
                return []  # another run of this table created it while we waited
            plan = create_table_plan(self.asset.contract, physical_columns(self.asset),
                                     partition_columns(self.asset), self.location,
                                     self.capabilities)
            for statement in plan.statements:
                self.spark.sql(statement).collect()
            return plan.skipped

    def conform(self, df: DataFrame) -> DataFrame:
        """The batch in the table's column order and types; a missing column is an error."""
        from pyspark.sql import functions as F

        columns = physical_columns(self.asset)
        for column in columns:  # filled on write: the engine may have no DDL defaults
            if column.name not in df.columns and column.default_sql is not None:
                df = df.withColumn(column.name, F.expr(column.default_sql))
        missing = [c.name for c in columns if c.name not in df.columns
                   and c.name not in managed_columns(self.asset)]
        if missing:
            raise ValueError(f"{self.location.label}: the batch lacks contract columns {missing} "
                             f"(it has {df.columns}); fix the SQL or the contract")
        return df.select(*[F.col(c.name).cast(c.type).alias(c.name) for c in columns
                           if c.name in df.columns])

    # -- writes ------------------------------------------------------------------------------
    def write(self, batch: TableBatch, run_id: str) -> dict[str, Any]:
        started = time.perf_counter()
        skipped = self.ensure_table()
        facts: dict[str, Any] = dict(batch.facts)
        if self.asset.kind == "bronze":
            facts.update(self._write_bronze(batch))
        elif self.asset.kind == "silver":
            facts.update(self._write_silver(batch))
        else:
            facts["write_attempts"] = frames.write(self.conform(batch.data), self.location,
                                                   "overwrite")
            facts["rows_written"] = self.location.read(self.spark).count()
        if batch.partitions or batch.rejected is not None:
            facts.update(self._write_quarantine(batch, run_id))
        if "delta_version" not in facts:  # the key-slice merge knows the version it wrote
            facts["delta_version"] = table_ops(self.spark, self.location,
                                               self.capabilities).version()
        facts["table"] = self.location.label
        if self.location.path:
            facts["path"] = self.location.path
        if batch.partitions:
            facts["partitions"] = ", ".join(sorted(batch.partitions))
        if skipped:
            facts["skipped_properties"] = "; ".join(skipped)
        facts["duration_s"] = round(time.perf_counter() - started, 3)
        return facts

    def _write_bronze(self, batch: TableBatch) -> dict[str, Any]:
        from pyspark.sql import functions as F

        where = partition_filter(INGESTED_DATE, batch.partitions)
        data = batch.data
        if INGESTED_DATE not in data.columns:
            data = data.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
        attempts = frames.write(self.conform(data), self.location, "overwrite",
                                replace_where=where)
        table = self.location.read(self.spark).where(where)
        if RESCUED_DATA not in table.columns:
            return {"rows_written": table.count(), "write_attempts": attempts}
        counts = table.select(F.count(F.lit(1)).alias("n"),
                              F.count(RESCUED_DATA).alias("rescued")).collect()[0]
        return {"rows_written": int(counts["n"]), "write_attempts": attempts,
                "rows_with_rescued_data": int(counts["rescued"])}

    def _write_silver(self, batch: TableBatch) -> dict[str, Any]:
        from pyspark.sql import functions as F

        promo = self.asset.promotion
        assert promo is not None
        facts: dict[str, Any] = {"columns_added": self.evolve_schema()}
        data_columns = [c for c in self.asset.contract.column_names
                        if c not in managed_columns(self.asset)]
        view = f"lh_batch_{uuid.uuid4().hex[:12]}"
        source = batch.data.withColumn(NOW, F.current_timestamp())
        source.createOrReplaceTempView(view)
        ctx = MergeContext(
            target=self.location.sql_ref, source=view, keys=promo.merge_keys,
            columns=data_columns, order_col=promo.order_col,
            silver_timestamps=promo.metadata.add_silver_timestamps, op_col=promo.op_col,
            has_op=promo.op_col in batch.data.columns,
            soft_delete_col=soft_delete_column(self.asset),
            scd2_valid_from=promo.scd2.valid_from, scd2_valid_to=promo.scd2.valid_to,
            scd2_is_current=promo.scd2.is_current,
        )
        locations = [self.location]
        side = companion(promo.strategy, ctx)
        if side is not None:
            suffix, columns = side
            side_location = sibling_location(self.location, suffix)
            if not side_location.exists(self.spark):
                frames.write(batch.data.select(*columns).limit(0), side_location, "append")
            ctx = replace(ctx, companion=side_location.sql_ref)
            locations.append(side_location)
            facts["companion_table"] = side_location.label
        try:
            facts.update(execute_merge(self.spark, self.capabilities, planner(promo.strategy),
                                       ctx, locations))
        finally:
            self.spark.catalog.dropTempView(view)
        if not facts["columns_added"]:
            del facts["columns_added"]
        return facts

    def evolve_schema(self) -> list[str]:
        """Columns the contract gained since the table was created: added when the promotion
        (or table properties) say merge_schema, else an error naming them."""
        existing = set(self.location.read(self.spark).columns)
        new = [c for c in physical_columns(self.asset) if c.name not in existing]
        if not new:
            return []
        names = [c.name for c in new]
        promo = self.asset.promotion
        if not (self.asset.contract.merge_schema or (promo is not None and promo.merge_schema)):
            raise ValueError(
                f"{self.location.label}: the contract has columns the table lacks: {names}; "
                f"set \"merge_schema\": true in {self.asset.producer_file.name} to add them, "
                "or remove them from the contract")
        table_ops(self.spark, self.location, self.capabilities).add_columns(new)
        return names

    def _write_quarantine(self, batch: TableBatch, run_id: str) -> dict[str, int]:
        """Replace this run's partitions of <table>_quarantine (kept empty when nothing failed);
        returns rows_quarantined and, when it wrote, quarantine_write_attempts."""
        from pyspark.sql import functions as F

        target = quarantine_location(self.location)
        if batch.rejected is None:
            return {"rows_quarantined": 0}
        exists = target.exists(self.spark)
        if (batch.partitions and exists and batch.rejected_rows == 0
                and not self._quarantined(target, batch)):
            return {"rows_quarantined": 0}  # nothing to set aside or to clear: no rewrite
        # One schema for raw text and typed rows, stamped with the run that set them aside.
        rejected = as_text(batch.rejected).withColumn("_run_id", F.lit(run_id)).withColumn(
            "_quarantined_at", F.current_timestamp())
        if not batch.partitions:  # gold: the quarantine mirrors the last build
            attempts = frames.write(rejected, target, "overwrite", merge_schema=True)
            return {"rows_quarantined": target.read(self.spark).count(),
                    "quarantine_write_attempts": attempts}
        if INGESTED_DATE not in rejected.columns:
            rejected = rejected.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
        where = partition_filter(INGESTED_DATE, batch.partitions)

        def replace(table_exists: bool) -> int:
            return frames.write(rejected, target, "overwrite" if table_exists else "append",
                                replace_where=where if table_exists else None, merge_schema=True,
                                partition_by=None if table_exists else [INGESTED_DATE])

        if exists:
            attempts = replace(True)
        else:
            with table_lock(target.path, "create"):  # two runs may both find no quarantine table
                attempts = replace(target.exists(self.spark))
        return {"rows_quarantined": self._quarantined(target, batch),
                "quarantine_write_attempts": attempts}

    def _quarantined(self, target: TableLocation, batch: TableBatch) -> int:
        ops = table_ops(self.spark, target, self.capabilities)
        return ops.rows_in_partitions(INGESTED_DATE, batch.partitions)


def read_partitions(
    spark: SparkSession, location: TableLocation, partitions: list[str] | None
) -> DataFrame:
    df = location.read(spark)
    if partitions:
        df = df.where(partition_filter(INGESTED_DATE, partitions))
    return df

