"""Silver batch preparation: the latest event per key, rows the strategy cannot take set
aside with their reason, typed as silver.

Ordering rule (documented for users, shared with the merges: see strategies/base.py): the event
with the greatest order column (sequence_by, else watermark_col; null is oldest) wins; on equal
order values a delete beats an upsert, then the greater sha256 of the JSON of the silver data
columns wins. The rule only looks at values silver stores, so the merge applies the very same
rule across batches and any processing order gives the same table. The strategy says which
columns identify one event (`Strategy.dedup_keys`: scd2 keeps every version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.framework_columns import QUARANTINE_REASON
from lakehouse_assets.contracts.models import PromotionContract
from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.scratch import computed_once
from lakehouse_assets.strategies.base import (
    KNOWN_OPS,
    delete_columns,
    delete_predicate,
    row_hash,
    truncate_columns,
    truncate_predicate,
)
from lakehouse_assets.strategies.registry import strategy_for
from lakehouse_assets.tables.physical import INGESTED_AT, INGESTED_DATE, SOURCE_FILE, data_columns

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame

BRONZE_PASSTHROUGH = (INGESTED_AT, SOURCE_FILE, INGESTED_DATE)
_TIE, _RN = "_tie", "_rn"  # working columns of the dedup


def latest_per_key(
    df: DataFrame,
    keys: list[str],
    order_col: str | None,
    op_col: str | None,
    data_cols: list[str],
    first: bool = False,
    deletes: str | None = None,
    order_then: Sequence[str] = (),
) -> DataFrame:
    """One row per key, by the ordering rule: the event that beats the others, or with `first`
    the one every other beats (append_dedup). The row hash only breaks ties, so it is computed
    only for the rows of keys that occur more than once in the batch: hashing every row cost
    more than the rest of the dedup (bench/RESULTS.md, "Where the time goes now")."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    # sequence_by's columns field by field (order_then: the ones after order_col), null oldest.
    cols = [order_col, *order_then] if order_col else []
    order: list[SparkColumn] = [F.col(c).desc_nulls_last() for c in cols]
    if op_col or deletes:
        order.append(F.expr(delete_predicate(op_col, None, deletes)).cast("int").desc())
    repeated = F.count(F.lit(1)).over(Window.partitionBy(*keys)) > 1
    tie = F.when(repeated, F.expr(row_hash(data_cols)))
    order.append(F.col(_TIE).desc())
    if first:  # the reverse of the same total order (null, the oldest value, first)
        order = [F.col(c).asc_nulls_first() for c in cols]
        order.append(F.col(_TIE).asc())
    window = Window.partitionBy(*keys).orderBy(*order)
    ranked = df.withColumn(_TIE, tie).withColumn(_RN, F.row_number().over(window))
    return ranked.where(F.col(_RN) == 1).drop(_RN, _TIE)


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
        passthrough = [
            c for c in BRONZE_PASSTHROUGH if c in source.columns and c not in shaped.columns
        ]
        source = source.selectExpr(*promo.select_expr, *passthrough)
    for column in asset.contract.columns:
        if column.name not in source.columns and column.default_sql is not None:
            source = source.withColumn(column.name, F.expr(column.default_sql).cast(column.type))
    return source


@dataclass(frozen=True)
class _Unplaceable:
    """Rows the strategy cannot take: flags (each a boolean Column) and the reason text."""

    any: SparkColumn
    null_key: SparkColumn
    unknown_op: SparkColumn
    reason: SparkColumn


def _unplaceable(promo: PromotionContract, op_col: str | None, deletes: str | None) -> _Unplaceable:
    """Null merge keys, then the strategy's required values, then unknown operations: each
    row gets the first reason that applies. With apply_as_deletes, a row it calls a delete is
    a delete whatever its op value; other rows still need a known op."""
    from pyspark.sql import functions as F

    null_key = F.lit(False)
    for key in promo.merge_keys:
        null_key = null_key | F.col(key).isNull()
    bad, reason = null_key, F.lit("null merge key (" + ", ".join(promo.merge_keys) + ")")
    for column, why in strategy_for(promo.strategy).required_values(promo).items():
        reason = F.when(bad, reason).otherwise(F.lit(why))
        bad = bad | F.col(column).isNull()
    unknown_op = F.lit(False)
    if op_col:
        value = F.col(op_col) if promo.op_case_sensitive else F.upper(F.col(op_col))
        unknown_op = ~F.coalesce(value.isin(*KNOWN_OPS), F.lit(False))
        if deletes:
            unknown_op = unknown_op & ~F.expr(delete_predicate(op_col, None, deletes))
        shown = F.coalesce(F.concat(F.lit("'"), F.col(op_col), F.lit("'")), F.lit("NULL"))
        reason = F.when(bad, reason).otherwise(
            F.concat(
                F.lit(f"{op_col}: "),
                shown,
                F.lit(
                    " is not an insert, update or delete ("
                    + ", ".join(KNOWN_OPS)
                    + (", case-sensitive: op_case_sensitive" if promo.op_case_sensitive else "")
                    + ")"
                ),
            )
        )
        bad = bad | unknown_op
    return _Unplaceable(bad, null_key, unknown_op, reason)


def _spare_truncates(judged: _Unplaceable, truncate: SparkColumn) -> _Unplaceable:
    """A truncate event is table-wide: it needs no key, order or known op to be applied."""
    return _Unplaceable(
        judged.any & ~truncate,
        judged.null_key & ~truncate,
        judged.unknown_op & ~truncate,
        judged.reason,
    )


def _with_last_truncate(
    events: DataFrame, typed: DataFrame, truncate: SparkColumn, order_cols: list[str]
) -> DataFrame:
    """The batch's events plus its greatest truncate event (by the order, null oldest): the
    only one that counts, since a truncate removes every row a smaller one would."""
    from pyspark.sql import functions as F

    cuts = typed.where(truncate)
    if order_cols:
        cuts = cuts.orderBy(*[F.col(c).desc_nulls_last() for c in order_cols])
    return events.unionByName(cuts.limit(1))


def _counts(
    source: DataFrame, judged: _Unplaceable, extra: dict[str, SparkColumn] | None = None
) -> dict[str, int]:
    """One pass over the promoted rows. Each flag is counted on its own: a row whose flag were
    NULL would count in neither `rows_rejected` nor `rows_typed`, and the accounting sees it."""
    from pyspark.sql import functions as F

    flags = {
        "null_merge_keys": judged.null_key,
        "rows_rejected": judged.any,
        "rows_typed": ~judged.any,
        "unknown_ops": judged.unknown_op,
        **(extra or {}),
    }
    row = source.select(
        F.count(F.lit(1)).alias("rows_in"),
        *[F.sum(F.when(flag, 1).otherwise(0)).alias(name) for name, flag in flags.items()],
    ).collect()[0]
    return {name: int(row[name] or 0) for name in ["rows_in", *flags]}


def silver_batch(
    source: DataFrame, asset: TableAsset, partitions: list[str], scratch: Path | None = None
) -> TableBatch:
    """`rows_in` counts the bronze rows read (before the promotion's filter), so the row
    accounting can tell filtered, rejected and superseded rows from rows lost. With `scratch`
    (assets/run_scratch.py), the deduped batch is computed once for the rules and the merge."""
    from pyspark.sql import functions as F

    promo = asset.promotion
    assert promo is not None
    strategy = strategy_for(promo.strategy)
    data_cols = data_columns(asset)
    rows_read = source.count() if promo.filter else None
    source = promoted_rows(source, asset)
    op_col = strategy.op_column(promo, source.columns)
    deletes = strategy.deletes(promo)
    truncates = strategy.truncates(promo)
    reads = delete_columns(op_col, deletes) + ([op_col] if op_col else [])
    reads += truncate_columns(truncates)
    needed = list(dict.fromkeys(data_cols + reads))
    missing = [c for c in needed if c not in source.columns]
    if missing:
        raise ValueError(
            f"{asset.key_string}: source lacks columns {missing}; add them to "
            "the bronze contract or drop them from silver"
        )
    judged = _unplaceable(promo, op_col, deletes)
    if truncates:
        judged = _spare_truncates(judged, F.expr(truncate_predicate(truncates)))
    extras = [c for c in BRONZE_PASSTHROUGH if c in source.columns and c not in needed]
    rejected = source.where(judged.any).select(
        *needed, *extras, judged.reason.alias(QUARANTINE_REASON)
    )
    typed = source.where(~judged.any).select(
        *[
            F.col(c).cast(asset.contract.column(c).type).alias(c)  # type: ignore[union-attr]
            for c in data_cols
        ],
        *[F.col(c) for c in dict.fromkeys(reads) if c not in data_cols],
    )
    events = typed.where(f"NOT {truncate_predicate(truncates)}") if truncates else typed
    good = latest_per_key(
        events,
        strategy.dedup_keys(promo),
        promo.order_col,
        op_col,
        data_cols,
        strategy.keeps_first,
        deletes,
        promo.order_cols[1:],
    )
    if truncates:
        good = _with_last_truncate(
            good, typed, F.expr(truncate_predicate(truncates)), promo.order_cols
        )
    if scratch is not None:
        good = computed_once(good, scratch, "latest")
    # The merge empties the table only for a batch that carries a truncate event.
    counted = {"truncate_events": F.expr(truncate_predicate(truncates))} if truncates else None
    facts = _counts(source, judged, counted)
    if rows_read is not None:  # rows the promotion's filter did not promote: counted, not lost
        facts["rows_filtered"] = rows_read - facts["rows_in"]
        facts["rows_in"] = rows_read
    return TableBatch(good, rejected, partitions, facts, rejected_rows=facts["rows_rejected"])
