"""Silver batch preparation: the latest event per key, null keys set aside, typed as silver.

Ordering rule (documented for users, shared with the merges: see strategies/base.py): the event
with the greatest order column (sequence_by, else watermark_col; null is oldest) wins; on equal
order values a delete beats an upsert, then the greater sha256 of the JSON of the silver data
columns wins. The rule only looks at values silver stores, so the merge applies the very same
rule across batches and any processing order gives the same table.
scd2 keeps one event per (key, order value) instead: history needs every version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.writer import managed_columns
from lakehouse_assets.strategies.base import DELETE_OPS, KNOWN_OPS
from lakehouse_assets.tables.physical import INGESTED_AT, INGESTED_DATE, SOURCE_FILE

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame

REASON = "_quarantine_reason"


def row_hash(columns: list[str]) -> SparkColumn:
    """Same value as strategies.base.row_hash computes in SQL."""
    from pyspark.sql import functions as F

    return F.sha2(F.to_json(F.struct(*[F.col(c) for c in columns])), 256)


def ordering(
    order_col: str | None, op_col: str | None, data_columns: list[str]
) -> list[SparkColumn]:
    from pyspark.sql import functions as F

    order = [F.col(order_col).desc_nulls_last()] if order_col else []
    if op_col:
        is_delete = F.coalesce(F.upper(F.col(op_col)).isin(*DELETE_OPS), F.lit(False))
        order.append(F.when(is_delete, 1).otherwise(0).desc())
    return [*order, row_hash(data_columns).desc()]


def latest_per_key(
    df: DataFrame, keys: list[str], order_col: str | None, op_col: str | None,
    data_columns: list[str],
) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    window = Window.partitionBy(*keys).orderBy(*ordering(order_col, op_col, data_columns))
    return df.withColumn("_rn", F.row_number().over(window)).where("_rn = 1").drop("_rn")


def promoted_rows(source: DataFrame, asset: TableAsset) -> DataFrame:
    """The bronze rows as the promotion shapes them: its `filter`, then its `select_expr`
    (bronze's framework columns pass through), then defaults for columns still missing."""
    from pyspark.sql import functions as F

    promo = asset.promotion
    assert promo is not None
    if promo.filter:
        source = source.where(promo.filter)
    if promo.select_expr:
        shaped = source.selectExpr(*promo.select_expr)
        passthrough = [c for c in (INGESTED_AT, SOURCE_FILE, INGESTED_DATE)
                       if c in source.columns and c not in shaped.columns]
        source = source.selectExpr(*promo.select_expr, *passthrough)
    for column in asset.contract.columns:
        if column.name not in source.columns and column.default_sql is not None:
            source = source.withColumn(column.name, F.expr(column.default_sql).cast(column.type))
    return source


def silver_batch(source: DataFrame, asset: TableAsset, partitions: list[str]) -> TableBatch:
    from pyspark.sql import functions as F

    promo = asset.promotion
    assert promo is not None
    contract = asset.contract
    data_cols = [c for c in contract.column_names if c not in managed_columns(asset)]
    rows_read = source.count() if promo.filter else None
    source = promoted_rows(source, asset)
    # cdc_merge needs its op column; scd2 honours deletes when the source has one.
    with_op = promo.strategy == "cdc_merge" or (
        promo.strategy == "scd2" and promo.op_col in source.columns)
    op_col = promo.op_col if with_op else None
    needed = list(dict.fromkeys(data_cols + ([op_col] if op_col else [])))
    missing = [c for c in needed if c not in source.columns]
    if missing:
        raise ValueError(f"silver.{contract.schema_}.{contract.name}: source lacks columns "
                         f"{missing}; add them to the bronze contract or drop them from silver")
    null_key = F.lit(False)
    for key in promo.merge_keys:
        null_key = null_key | F.col(key).isNull()
    null_merge_key = null_key
    reason = F.lit("null merge key (" + ", ".join(promo.merge_keys) + ")")
    if promo.strategy == "scd2" and promo.order_col:
        # History cannot place an event without an order value.
        reason = F.when(null_key, reason).otherwise(
            F.lit(f"null order column {promo.order_col} (scd2 needs it)"))
        null_key = null_key | F.col(promo.order_col).isNull()
    if op_col:
        bad_op = ~F.coalesce(F.upper(F.col(op_col)).isin(*KNOWN_OPS), F.lit(False))
        reason = F.when(null_key, reason).otherwise(F.concat(
            F.lit(f"{op_col}: "), F.coalesce(F.concat(F.lit("'"), F.col(op_col), F.lit("'")),
                                             F.lit("NULL")),
            F.lit(" is not an insert, update or delete (" + ", ".join(KNOWN_OPS) + ")")))
        null_key = null_key | bad_op
        unknown_op = bad_op
    else:
        unknown_op = F.lit(False)
    extras = [c for c in (INGESTED_AT, SOURCE_FILE, INGESTED_DATE) if c in source.columns]
    rejected = source.where(null_key).select(
        *needed, *[c for c in extras if c not in needed], reason.alias(REASON))
    typed = source.where(~null_key).select(
        *[F.col(c).cast(contract.column(c).type).alias(c) for c in data_cols],  # type: ignore[union-attr]
        *([F.col(op_col)] if op_col and op_col not in data_cols else []),
    )
    keys = list(promo.merge_keys)
    if promo.strategy == "scd2" and promo.order_col:
        keys.append(promo.order_col)
    good = latest_per_key(typed, keys, promo.order_col, op_col, data_cols)
    counts = source.select(F.count(F.lit(1)).alias("n"),
                           F.sum(null_merge_key.cast("int")).alias("keys"),
                           F.sum(null_key.cast("int")).alias("bad"),
                           F.sum(unknown_op.cast("int")).alias("ops")).collect()[0]
    facts = {"rows_in": int(counts["n"]), "null_merge_keys": int(counts["keys"] or 0),
             "rows_rejected": int(counts["bad"] or 0), "unknown_ops": int(counts["ops"] or 0)}
    if rows_read is not None:  # rows the promotion's filter did not promote: counted, not lost
        facts["rows_filtered"] = rows_read - facts["rows_in"]
        facts["rows_in"] = rows_read
    return TableBatch(good, rejected, partitions, facts, rejected_rows=facts["rows_rejected"])
