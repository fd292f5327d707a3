"""cdc_merge: I/U upsert, D deletes; sequence-guarded so late events never resurrect a row.

With a soft-delete column in the silver contract, a delete sets it true (never NULL) and keeps
the row as a tombstone holding the delete event's values, even for a key silver has not seen: an
older insert replayed later loses to it, so any processing order gives the same table.

Without it, a delete removes the row, and the key and order value of the delete are remembered
in a companion table `<table>_tombstones` (keys + order columns, greatest delete per key): an
upsert that does not beat the tombstone (older, or equal: a delete wins ties) is dropped before
the merge, so a replayed older insert cannot bring a hard-deleted row back. A later insert of
the key wins over the tombstone and brings the row back.

With Lakeflow's ignore_null_updates (or its column lists) the merge is strategies/null_updates.py's:
every event is logged in `<table>_cdc_events` (no tombstones) and each batch key's state is
recomputed from its log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import PromotionContract, TableContract
from lakehouse_assets.strategies.base import (
    NOW,
    MergeContext,
    MergePlan,
    changed,
    delete_predicate,
    hash_greater,
    insert_clause,
    is_delete,
    key_match,
    newer,
    set_clause,
)
from lakehouse_assets.strategies.column_options import ignores_nulls, null_kept
from lakehouse_assets.strategies.event_log import logged
from lakehouse_assets.strategies.null_updates import LOG_SUFFIX, cdc_plan
from lakehouse_assets.strategies.strategy import SideTable, Strategy
from lakehouse_assets.strategies.truncates import with_truncates

SOFT_DELETE = "is_deleted"  # declared in the silver contract: deletes keep a tombstone row
# With tombstone_retention: when the run that recorded a tombstone ran (io/tombstone_purge.py).
TOMBSTONED_AT = "_tombstoned_at"


@dataclass(frozen=True)
class CdcContext(MergeContext):
    soft_delete_col: str | None = None
    stamped: bool = False  # tombstones carry TOMBSTONED_AT (tombstone_retention is set)
    # ignore_null_updates: states come from the event log (strategies/null_updates.py).
    event_log: bool = False


class CdcMerge(Strategy):
    names = ("cdc_merge",)
    needs_order = True
    needs_op = True
    applies_truncates = True
    ignores_nulls = True

    def context(
        self, base: MergeContext, promo: PromotionContract, silver: TableContract
    ) -> MergeContext:
        soft = SOFT_DELETE if SOFT_DELETE in silver.column_names else None
        stamped = promo.tombstone_retention is not None
        ctx = CdcContext(
            **vars(base), soft_delete_col=soft, stamped=stamped, event_log=ignores_nulls(promo)
        )
        return replace(ctx, ignore_nulls=null_kept(promo, base.columns, base.keys))

    def keeps_tombstones(self, promo: PromotionContract, silver: TableContract) -> bool:
        # ignore_null_updates keeps its deletes in the event log (<table>_cdc_events) instead
        return SOFT_DELETE not in silver.column_names and not ignores_nulls(promo)

    def dedup_keys(self, promo: PromotionContract) -> list[str]:
        # ignore_null_updates: an older event of the batch may hold a value a newer one lacks.
        if ignores_nulls(promo) and promo.order_col:
            return [*promo.merge_keys, *promo.order_cols]
        return list(promo.merge_keys)

    def required_values(self, promo: PromotionContract) -> dict[str, str]:
        if not (ignores_nulls(promo) and promo.order_col):
            return {}
        why = "(ignore_null_updates needs it)"
        return {o: f"null order column {o} {why}" for o in promo.order_cols}

    def rule_exempt(self, op_col: str | None, deletes: str | None = None) -> str | None:
        # A delete event carries only its key: row rules do not judge it.
        return delete_predicate(op_col, None, deletes) if op_col or deletes else None

    def filled_columns(
        self, promo: PromotionContract, silver: TableContract, source: TableContract | None
    ) -> dict[str, str | None]:
        return {SOFT_DELETE: "BOOLEAN"} if SOFT_DELETE in silver.column_names else {}

    def side_table(self, ctx: MergeContext) -> SideTable | None:
        if isinstance(ctx, CdcContext) and ctx.event_log:
            return SideTable(LOG_SUFFIX, logged(ctx))
        columns = _tombstone_columns(ctx)
        if not columns:
            return None
        stamped = isinstance(ctx, CdcContext) and ctx.stamped
        return SideTable("_tombstones", columns, {TOMBSTONED_AT: "TIMESTAMP"} if stamped else {})

    def plan(self, ctx: MergeContext) -> MergePlan:
        assert isinstance(ctx, CdcContext)
        if ctx.event_log:  # ignore_null_updates: apply_as_truncates is refused with it
            return cdc_plan(ctx, ctx.soft_delete_col)
        return with_truncates(ctx, _soft_or_hard)


def _soft_or_hard(ctx: MergeContext) -> MergePlan:
    assert isinstance(ctx, CdcContext)
    return _soft(ctx) if ctx.soft_delete_col else _hard(ctx)


def _tombstone_columns(ctx: MergeContext) -> list[str] | None:
    if isinstance(ctx, CdcContext) and ctx.soft_delete_col:
        return None
    return [*ctx.keys, *ctx.order_cols]


def _soft(ctx: CdcContext) -> MergePlan:
    col = ctx.soft_delete_col
    assert col
    flag, delete, hashed = quote(col), is_delete(ctx), hash_greater(ctx)
    live, dead = {col: "false"}, {col: "true"}
    sql = (
        f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
        f"WHEN MATCHED AND {delete} AND {newer(ctx, f'(NOT t.{flag} OR {hashed})')} AND "
        f"({changed(ctx.columns)} OR NOT t.{flag}) "
        f"THEN UPDATE SET {set_clause(ctx, ctx.columns, dead)} "
        f"WHEN MATCHED AND NOT {delete} AND {newer(ctx, f'(NOT t.{flag} AND {hashed})')} AND "
        f"({changed(ctx.columns)} OR t.{flag}) "
        f"THEN UPDATE SET {set_clause(ctx, ctx.columns, live)} "
        f"WHEN NOT MATCHED THEN INSERT "
        f"{insert_clause(ctx, ctx.columns, {col: delete})}"
    )
    return MergePlan([sql], "upsert I/U, soft delete D, sequence-guarded", {ctx.target: ctx.keys})


def _hard(ctx: MergeContext) -> MergePlan:
    assert ctx.companion, "hard-delete cdc_merge needs its tombstone table"
    delete, tomb = is_delete(ctx), ctx.companion
    logged = _tombstone_columns(ctx) or []
    plain = replace(ctx, silver_timestamps=False)  # the tombstone table has no timestamps
    keys = ", ".join(f"s.{quote(c)}" for c in logged)
    if isinstance(ctx, CdcContext) and ctx.stamped:  # refreshed by every newer delete
        keys += f", s.{NOW} AS {quote(TOMBSTONED_AT)}"
        logged = [*logged, TOMBSTONED_AT]
    remember = (
        f"MERGE INTO {tomb} t USING (SELECT {keys} FROM {ctx.source} s WHERE {delete}) s "
        f"ON {key_match(ctx)} "
        f"WHEN MATCHED AND {newer(ctx)} THEN UPDATE SET {set_clause(plain, logged)} "
        f"WHEN NOT MATCHED THEN INSERT {insert_clause(plain, logged)}"
    )
    # An upsert survives a tombstone of its key only by being strictly newer than the delete.
    survivors = (
        f"(SELECT s.* FROM {ctx.source} s LEFT ANTI JOIN {tomb} d ON {key_match(ctx, 'd')} "
        f"AND NOT {delete} AND NOT {newer(ctx, 'FALSE', 'd')})"
    )
    sql = (
        f"MERGE INTO {ctx.target} t USING {survivors} s ON {key_match(ctx)} "
        f"WHEN MATCHED AND {delete} AND {newer(ctx, 'TRUE')} THEN DELETE "
        f"WHEN MATCHED AND NOT {delete} AND {newer(ctx, hash_greater(ctx))} "
        f"AND {changed(ctx.columns)} THEN UPDATE SET {set_clause(ctx, ctx.columns)} "
        f"WHEN NOT MATCHED AND NOT {delete} THEN INSERT {insert_clause(ctx, ctx.columns)}"
    )
    return MergePlan(
        [remember, sql],
        "upsert I/U, hard delete D with tombstones, sequence-guarded",
        {tomb: ctx.keys, ctx.target: ctx.keys},
    )


CDC_MERGE = CdcMerge()
