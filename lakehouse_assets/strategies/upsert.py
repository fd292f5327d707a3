"""full_merge and incremental_replace (alias scd1): upsert every key of the batch, never delete.

A row is replaced only by a row that is not older by the order column, and only when a value
changed, so re-running a batch is a no-op and an old batch replayed late cannot win.
"""

from __future__ import annotations

from lakehouse_assets.strategies.base import (
    MergeContext,
    MergePlan,
    changed,
    insert_clause,
    key_match,
    newer,
    set_clause,
)


def plan(ctx: MergeContext) -> MergePlan:
    sql = (
        f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
        f"WHEN MATCHED AND {newer(ctx)} AND {changed(ctx, ctx.columns)} "
        f"THEN UPDATE SET {set_clause(ctx, ctx.columns)} "
        f"WHEN NOT MATCHED THEN INSERT {insert_clause(ctx, ctx.columns)}"
    )
    return MergePlan([sql], "upsert by merge keys, sequence-guarded")
