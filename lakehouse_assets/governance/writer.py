"""TableWriter: write DataFrames into a contract's table (created from the contract if missing).

    writer = TableWriter("silver/shop/products")
    writer.overwrite(df)                                  # replace the whole table
    writer.append(df)                                     # add rows
    writer.upsert(df, keys=["product_id"])                # MERGE, sequence-guarded
    writer.overwrite_partition(df, {"_ingested_date": "2024-01-15"})
    writer.delete("price = 0")

Every method conforms the batch to the contract (column order and types; a missing nullable
column is NULL, a missing NOT NULL column an error naming it) and returns its facts:
operation, rows and the Delta version.
upsert uses the same latest-per-key rule and sequence-guarded merge as the silver strategies.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.governance.handle import GovernedAccess, equals
from lakehouse_assets.io import frames
from lakehouse_assets.io.conform import conform
from lakehouse_assets.io.merge_execution import execute_merge
from lakehouse_assets.io.table_creation import ensure_table
from lakehouse_assets.strategies.base import NOW, MergeContext
from lakehouse_assets.strategies.upsert import UPSERT
from lakehouse_assets.tables.physical import SILVER_CREATED, SILVER_MODIFIED
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class TableWriter(GovernedAccess):
    # -- helpers -----------------------------------------------------------------------------
    def ensure_table(self) -> None:
        t = self.table
        ensure_table(
            t.spark,
            t.capabilities,
            t.contract,
            t.physical_columns(),
            t.partition_columns(),
            t.location,
        )

    def conform(self, df: DataFrame) -> DataFrame:
        """The contract's columns in order and type; the silver timestamps are filled in, a
        missing nullable column is NULL, a missing NOT NULL column an error."""
        now = "current_timestamp()"
        return conform(
            df,
            self.table.physical_columns(),
            self.table.location.label,
            fill={SILVER_CREATED: now, SILVER_MODIFIED: now},
            nullable_missing="null",
        )

    def _facts(self, operation: str, **extra: Any) -> dict[str, Any]:
        t = self.table
        if "delta_version" not in extra:  # a key-slice upsert reports the version it wrote
            extra["delta_version"] = table_ops(t.spark, t.location, t.capabilities).version()
        return {"operation": operation, "table": t.location.label, **extra}

    # -- the API -----------------------------------------------------------------------------
    def overwrite(self, df: DataFrame) -> dict[str, Any]:
        self.ensure_table()
        data = self.conform(df)
        frames.write(data, self.table.location, "overwrite")
        return self._facts("overwrite", rows=data.count())

    def append(self, df: DataFrame) -> dict[str, Any]:
        self.ensure_table()
        data = self.conform(df)
        frames.write(data, self.table.location, "append")
        return self._facts("append", rows=data.count())

    def overwrite_partition(self, df: DataFrame, partition: dict[str, Any]) -> dict[str, Any]:
        """Replace the rows matching {column: value}; the batch must hold only such rows."""
        unknown = [c for c in partition if c not in {c.name for c in self.table.physical_columns()}]
        if unknown:
            raise ValueError(f"{self.table.location.label}: {unknown} are not columns of the table")
        self.ensure_table()
        where = equals(partition)
        data = self.conform(df)
        outside = data.where(f"NOT ({where})").count()
        if outside:
            raise ValueError(
                f"{self.table.location.label}: {outside} rows of the batch are "
                f"outside the partition {partition}; filter the batch first"
            )
        frames.write(data, self.table.location, "overwrite", replace_where=where)
        return self._facts("overwrite_partition", rows=data.count(), partition=where)

    def upsert(
        self, df: DataFrame, keys: list[str] | None = None, order_by: str | None = None
    ) -> dict[str, Any]:
        """MERGE by keys (default: the promotion's merge_keys); the latest row per key wins and
        an older row never replaces a newer one (order_by default: the promotion's order)."""
        from pyspark.sql import functions as F

        from lakehouse_assets.assets.silver import latest_per_key

        t = self.table
        keys = keys or t.merge_keys
        if not keys:
            raise ValueError(
                f"{t.location.label}: upsert needs keys=[...] (no promotion "
                "contract declares merge_keys for this table)"
            )
        order = order_by or t.order_col
        then = [] if order_by else t.order_then  # the promotion's further sequence_by columns
        self.ensure_table()
        managed = {SILVER_CREATED, SILVER_MODIFIED}
        names = [c.name for c in t.physical_columns()]
        columns = [c for c in names if c not in managed and c in df.columns]
        nulls = " OR ".join(f"{quote(k)} IS NULL" for k in keys)
        data = self.conform(df).where(f"NOT ({nulls})")
        data = latest_per_key(data, keys, order, None, columns, order_then=then)
        view = f"lh_upsert_{uuid.uuid4().hex[:12]}"
        data.withColumn(NOW, F.current_timestamp()).createOrReplaceTempView(view)
        ctx = MergeContext(
            target=t.location.sql_ref,
            source=view,
            keys=keys,
            columns=columns,
            order_col=order,
            silver_timestamps=managed <= set(names),
            order_then=tuple(then),
        )
        try:
            merged = execute_merge(t.spark, t.capabilities, UPSERT.plan, ctx, [t.location])
        finally:
            t.spark.catalog.dropTempView(view)
        return self._facts(
            "upsert",
            keys=keys,
            null_keys_skipped=df.where(nulls).count(),
            **{k: v for k, v in merged.items() if k != "merge"},
        )

    def delete(self, where: str) -> dict[str, Any]:
        """DELETE the rows matching a Spark SQL predicate (the caller's own SQL)."""
        if not where.strip():
            raise ValueError("delete needs a predicate; use overwrite to empty a table")
        t = self.table
        t.spark.sql(f"DELETE FROM {t.location.sql_ref} WHERE {where}").collect()
        return self._facts("delete", where=where)
