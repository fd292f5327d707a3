"""Silver batch preparation: the latest event per key, null keys set aside, typed as silver.

Ordering rule (documented for users): within a batch the event with the greatest order column
(sequence_by, else watermark_col; null is oldest) wins; ties go to the later _ingested_at, then
the later _source_file, then (cdc_merge) a delete over an upsert, then the greater hash of the
row's values, so the same events always give the same winner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.writer import managed_columns
from lakehouse_assets.strategies.cdc_merge import DELETE_OPS
from lakehouse_assets.tables.physical import INGESTED_AT, INGESTED_DATE, SOURCE_FILE

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame

REASON = "_quarantine_reason"


def ordering(df: DataFrame, order_col: str | None, op_col: str | None) -> list[SparkColumn]:
    from pyspark.sql import functions as F

    order = [F.col(order_col).desc_nulls_last()] if order_col else []
    order += [F.col(c).desc_nulls_last() for c in (INGESTED_AT, SOURCE_FILE) if c in df.columns]
    if op_col:
        is_delete = F.upper(F.col(op_col)).isin(*DELETE_OPS)
        order.append(F.when(is_delete, 1).otherwise(0).desc())
    row_hash = F.sha2(F.to_json(F.struct(*[F.col(c) for c in sorted(df.columns)])), 256)
    return [*order, row_hash.desc()]


def latest_per_key(
    df: DataFrame, keys: list[str], order_col: str | None, op_col: str | None = None
) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    window = Window.partitionBy(*keys).orderBy(*ordering(df, order_col, op_col))
    return df.withColumn("_rn", F.row_number().over(window)).where("_rn = 1").drop("_rn")


def silver_batch(source: DataFrame, asset: TableAsset, partitions: list[str]) -> TableBatch:
    from pyspark.sql import functions as F

    promo = asset.promotion
    assert promo is not None
    contract = asset.contract
    data_cols = [c for c in contract.column_names if c not in managed_columns(asset)]
    op_col = promo.op_col if promo.strategy == "cdc_merge" else None
    needed = list(dict.fromkeys(data_cols + ([op_col] if op_col else [])))
    missing = [c for c in needed if c not in source.columns]
    if missing:
        raise ValueError(f"silver.{contract.schema_}.{contract.name}: source lacks columns "
                         f"{missing}; add them to the bronze contract or drop them from silver")
    null_key = F.lit(False)
    for key in promo.merge_keys:
        null_key = null_key | F.col(key).isNull()
    extras = [c for c in (INGESTED_AT, SOURCE_FILE, INGESTED_DATE) if c in source.columns]
    rejected = source.where(null_key).select(
        *needed, *[c for c in extras if c not in needed],
        F.lit("null merge key (" + ", ".join(promo.merge_keys) + ")").alias(REASON))
    good = source.where(~null_key)
    rows_in = source.count()
    if promo.strategy != "scd2":
        good = latest_per_key(good, promo.merge_keys, promo.order_col, op_col)
    typed = good.select(
        *[F.col(c).cast(contract.column(c).type).alias(c) for c in data_cols],  # type: ignore[union-attr]
        *([F.col(op_col)] if op_col and op_col not in data_cols else []),
        *[F.col(c) for c in (INGESTED_AT, SOURCE_FILE) if c in source.columns
          and c not in data_cols],
    )
    return TableBatch(typed, rejected, partitions, {"rows_in": rows_in})
