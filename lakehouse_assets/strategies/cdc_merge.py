"""cdc_merge: I/U upsert, D deletes; sequence-guarded so late events never resurrect a row.

With a soft-delete column in the silver contract, a delete sets it true (never NULL) and keeps
the row as a tombstone holding the delete event's values, even for a key silver has not seen: an
older insert replayed later loses to it, so any processing order gives the same table. Without
it, a delete removes the row.
"""

from __future__ import annotations

from lakehouse_assets.contracts.identifiers import quote, sql_string
from lakehouse_assets.strategies.base import (
    MergeContext,
    MergePlan,
    changed,
    insert_clause,
    key_match,
    newer,
    set_clause,
)

DELETE_OPS = ("D", "DELETE")


def is_delete(ctx: MergeContext, alias: str = "s") -> str:
    ops = ", ".join(sql_string(o) for o in DELETE_OPS)
    return f"upper({alias}.{quote(ctx.op_col)}) IN ({ops})"


def plan(ctx: MergeContext) -> MergePlan:
    delete, guard = is_delete(ctx), newer(ctx)
    if ctx.soft_delete_col:
        flag = quote(ctx.soft_delete_col)
        live, dead = {ctx.soft_delete_col: "false"}, {ctx.soft_delete_col: "true"}
        sql = (
            f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
            f"WHEN MATCHED AND {delete} AND {guard} AND "
            f"({changed(ctx, ctx.columns)} OR NOT t.{flag}) "
            f"THEN UPDATE SET {set_clause(ctx, ctx.columns, dead)} "
            f"WHEN MATCHED AND NOT {delete} AND {guard} AND "
            f"({changed(ctx, ctx.columns)} OR t.{flag}) "
            f"THEN UPDATE SET {set_clause(ctx, ctx.columns, live)} "
            f"WHEN NOT MATCHED THEN INSERT "
            f"{insert_clause(ctx, ctx.columns, {ctx.soft_delete_col: delete})}"
        )
        return MergePlan([sql], "upsert I/U, soft delete D, sequence-guarded")
    sql = (
        f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
        f"WHEN MATCHED AND {delete} AND {guard} THEN DELETE "
        f"WHEN MATCHED AND NOT {delete} AND {guard} AND {changed(ctx, ctx.columns)} "
        f"THEN UPDATE SET {set_clause(ctx, ctx.columns)} "
        f"WHEN NOT MATCHED AND NOT {delete} THEN INSERT {insert_clause(ctx, ctx.columns)}"
    )
    return MergePlan([sql], "upsert I/U, hard delete D, sequence-guarded")
