"""full_merge, scd1, incremental_replace and append_dedup: upsert every key of the batch,
never delete.

A row is replaced only by an event that beats it under the shared ordering rule (base.py), and
only when a value changed, so re-running a batch is a no-op and an old batch replayed late
cannot win. append_dedup appends the keys silver lacks and keeps the first version of each
(DKOps: "append de registros nuevos excluyendo duplicados por clave"): a re-sent event never
changes the row, except that an older version of it, processed late (a backfill of an earlier
day), takes its place, so the table is the same whatever order the days run in. Without an order
column it is insert-only: the first batch that brings a key wins.
"""

from __future__ import annotations

from lakehouse_assets.strategies.base import (
    MergeContext,
    MergePlan,
    changed,
    hash_greater,
    insert_clause,
    key_match,
    newer,
    set_clause,
)
from lakehouse_assets.strategies.strategy import Strategy


def plan(ctx: MergeContext, summary: str = "upsert by merge keys, sequence-guarded") -> MergePlan:
    sql = (
        f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
        f"WHEN MATCHED AND {newer(ctx, hash_greater(ctx))} AND {changed(ctx.columns)} "
        f"THEN UPDATE SET {set_clause(ctx, ctx.columns)} "
        f"WHEN NOT MATCHED THEN INSERT {insert_clause(ctx, ctx.columns)}"
    )
    return MergePlan([sql], summary, {ctx.target: ctx.keys})


def plan_first(ctx: MergeContext) -> MergePlan:
    """append_dedup: insert new keys; replace a row only by an older event (the ordering rule
    with source and target swapped), and never without an order column."""
    sql = f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
    if ctx.order_col:
        older = newer(ctx, hash_greater(ctx, t="s", s="t"), t="s", s="t")
        sql += (
            f"WHEN MATCHED AND {older} AND {changed(ctx.columns)} "
            f"THEN UPDATE SET {set_clause(ctx, ctx.columns)} "
        )
    sql += f"WHEN NOT MATCHED THEN INSERT {insert_clause(ctx, ctx.columns)}"
    return MergePlan(
        [sql], "append new keys, keep the first version of each", {ctx.target: ctx.keys}
    )


class AppendDedup(Strategy):
    names = ("append_dedup",)
    keeps_first = True

    def plan(self, ctx: MergeContext) -> MergePlan:
        return plan_first(ctx)


class Upsert(Strategy):
    def __init__(
        self,
        names: tuple[str, ...],
        needs_order: bool = False,
        summary: str = "upsert by merge keys, sequence-guarded",
    ):
        self.names, self.needs_order, self.summary = names, needs_order, summary

    def plan(self, ctx: MergeContext) -> MergePlan:
        return plan(ctx, self.summary)


UPSERT = Upsert(("full_merge",))
SCD1 = Upsert(("scd1",))  # DKOps' name for the same merge
# Replaces a key's row by its latest event: needs the column that says which is latest.
INCREMENTAL_REPLACE = Upsert(("incremental_replace",), needs_order=True)
APPEND_DEDUP = AppendDedup()
