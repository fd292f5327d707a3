"""The per-key event log a strategy keeps beside silver when silver's rows cannot be derived
from the stored row and the batch alone (scd2's history, cdc_merge's ignore_null_updates):
one row per (key, order value), the winner of the shared ordering rule (strategies/base.py).
With several sequence_by columns, the order value is all of them: the log's identity is the
keys plus every order column."""

from __future__ import annotations

from dataclasses import replace

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.strategies.base import (
    MergeContext,
    delete_columns,
    hash_greater,
    insert_clause,
    is_delete,
    key_match,
    order_match,
    set_clause,
)


def logged(ctx: MergeContext) -> list[str]:
    """Data columns plus what the delete predicate reads (op column or apply_as_deletes's):
    the log is asked which events are deletes. The order column is a data column, except
    from snapshots (the snapshot version), where the log must still hold it."""
    reads = delete_columns(ctx.op_col, ctx.deletes)
    return list(dict.fromkeys([*ctx.columns, *reads, *ctx.order_cols]))


def record_events(ctx: MergeContext) -> str:
    """Keep the winning event per (key, order value) in the event log."""
    assert ctx.order_col and ctx.companion
    columns = logged(ctx)
    s_del, t_del = is_delete(ctx, "s"), is_delete(ctx, "t")
    plain = replace(ctx, silver_timestamps=False)  # the event log has no timestamps
    return (
        f"MERGE INTO {ctx.companion} t USING {ctx.source} s ON {key_match(ctx)} "
        f"AND {order_match(ctx)} "
        f"WHEN MATCHED AND (({s_del} AND NOT {t_del}) OR ({s_del} = {t_del} AND "
        f"{hash_greater(ctx)})) THEN UPDATE SET {set_clause(plain, columns)} "
        f"WHEN NOT MATCHED THEN INSERT {insert_clause(plain, columns)}"
    )


def logged_events(ctx: MergeContext, batch_keys: str) -> str:
    """The logged events of the batch's keys, each with `_del` (is it a delete)."""
    return (
        f"(SELECT l.*, {is_delete(ctx, 'l')} AS _del FROM {ctx.companion} l LEFT SEMI JOIN "
        f"{batch_keys} b ON {key_match(ctx, 'l', 'b')})"
    )


def batch_keys(ctx: MergeContext) -> str:
    part = ", ".join(quote(k) for k in ctx.keys)
    return f"(SELECT DISTINCT {part} FROM {ctx.source})"
