"""Lakeflow's ignore_null_updates: a NULL in an update keeps the value already stored.

The rule, defined so that any processing order gives the same table: the key's events are
first reduced to one per order value (the shared ordering rule, strategies/base.py) and kept in
the event log (strategies/event_log.py). Walking them oldest first, a delete starts a new life
of the key. In an upsert event, a NULL in an ignore-null column takes the latest non-NULL value
of that column among the earlier upsert events of the same life (NULL if there is none: an
insert of a new key writes what it has). The key's state is its newest event, so filled. A
delete event's own values are never filled and never fill anything.

"The stored value" is thus not the row silver happens to hold when an event arrives: a late
event with a value for a column fills the newer events' NULLs as if it had come in order. That
needs every event of the key, hence the log: it costs one row per distinct (key, order value)
in `<table>_cdc_events` (for cdc_merge it replaces the tombstones, which the log subsumes), and
each run re-reads the logged events of the batch's keys. Events with a NULL order value cannot
be placed in a life and are quarantined (as scd2 does).
"""

from __future__ import annotations

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.strategies.base import (
    NOW,
    MergeContext,
    MergePlan,
    Stage,
    changed,
    insert_clause,
    key_match,
    order_by,
    set_clause,
)
from lakehouse_assets.strategies.event_log import batch_keys, logged_events, record_events

LOG_SUFFIX = "_cdc_events"
_ALL_BEFORE = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"


def filled(ctx: MergeContext, events: str) -> str:
    """`events` (rows with the data columns and `_del`) with each ignore-null column's NULL in
    an upsert replaced as the module docstring says; keeps every row and `_del`."""
    assert ctx.order_col
    part = ", ".join(quote(k) for k in ctx.keys)
    life = f"PARTITION BY {part}, x._life ORDER BY {order_by(ctx, 'x')} {_ALL_BEFORE}"
    cols = []
    for c in ctx.columns:
        q = quote(c)
        if c in ctx.ignore_nulls:
            kept = f"last_value(CASE WHEN NOT x._del THEN x.{q} END, true) OVER ({life})"
            cols.append(f"CASE WHEN x._del THEN x.{q} ELSE {kept} END AS {q}")
        else:
            cols.append(f"x.{q}")
    lives = (
        f"(SELECT e.*, sum(CASE WHEN e._del THEN 1 ELSE 0 END) OVER (PARTITION BY {part} "
        f"ORDER BY {order_by(ctx, 'e')} {_ALL_BEFORE}) AS _life FROM {events} e)"
    )
    return f"(SELECT {', '.join(cols)}, x._del FROM {lives} x)"


def cdc_plan(ctx: MergeContext, soft_delete_col: str | None) -> MergePlan:
    """cdc_merge with ignore_null_updates: log the batch, recompute the batch keys' states
    from the log (newest event, filled), and merge them: no sequence guard is needed, as the
    state already accounts for every event the key ever had."""
    assert ctx.order_col and ctx.companion, "ignore_null_updates needs its event log"
    part = ", ".join(quote(k) for k in ctx.keys)
    data = ", ".join(f"f.{quote(c)}" for c in ctx.columns)
    newest = (
        f"SELECT {data}, f._del, current_timestamp() AS {NOW} FROM (SELECT f.*, row_number() "
        f"OVER (PARTITION BY {part} ORDER BY {order_by(ctx, 'f', 'DESC')}) AS _newest FROM "
        f"{filled(ctx, logged_events(ctx, batch_keys(ctx)))} f) f WHERE f._newest = 1"
    )
    staged = Stage(f"{ctx.source}_cdc", newest)
    head = f"MERGE INTO {ctx.target} t USING {staged.name} s ON {key_match(ctx)} "
    if soft_delete_col:
        flag = quote(soft_delete_col)
        flagged = {soft_delete_col: "s._del"}
        sql = (
            f"{head}WHEN MATCHED AND ({changed(ctx.columns)} OR NOT (t.{flag} <=> s._del)) "
            f"THEN UPDATE SET {set_clause(ctx, ctx.columns, flagged)} "
            f"WHEN NOT MATCHED THEN INSERT {insert_clause(ctx, ctx.columns, flagged)}"
        )
    else:
        sql = (
            f"{head}WHEN MATCHED AND s._del THEN DELETE "
            f"WHEN MATCHED AND NOT s._del AND {changed(ctx.columns)} "
            f"THEN UPDATE SET {set_clause(ctx, ctx.columns)} "
            f"WHEN NOT MATCHED AND NOT s._del THEN INSERT {insert_clause(ctx, ctx.columns)}"
        )
    return MergePlan(
        [record_events(ctx), staged, sql],
        f"upsert I/U, delete D, NULLs in {list(ctx.ignore_nulls)} keep the stored value "
        f"(event log), ordered by {', '.join(ctx.order_cols)}",
        {ctx.companion: [*ctx.keys, *ctx.order_cols], ctx.target: ctx.keys},
    )
