"""append_dedup: append events whose key silver does not hold yet; re-runs never duplicate."""

from __future__ import annotations

from lakehouse_assets.strategies.base import MergeContext, MergePlan, insert_clause, key_match


def plan(ctx: MergeContext) -> MergePlan:
    sql = (
        f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
        f"WHEN NOT MATCHED THEN INSERT {insert_clause(ctx, ctx.columns)}"
    )
    return MergePlan([sql], "insert keys not yet in silver")
