"""scd2: history per key, as Delta Live Tables' apply_changes(stored_as_scd_type=2).

Each version of a key is one silver row: its data columns, `valid_from` (the order value of
the event that opened it), `valid_to` (the order value of the next version or delete; NULL
while current) and `is_current`. An event whose tracked columns (all data columns but the
order column) equal the previous version's opens no version; a delete (op column D, when the
source has one) closes the current version and opens none; a later upsert opens a new one.

Out-of-order events: every distinct (key, order value) event is kept in a companion table
`<table>_scd2_events` (the winner per the shared ordering rule of base.py). For the keys of a
batch, the history is recomputed from that log and merged into silver on (keys, valid_from):
new versions are inserted, changed ones (valid_to, is_current, values) updated and versions
that no longer exist deleted, in one MERGE. Its source is one full outer join of the recomputed
history with the keys' versions in silver, so the history is computed once. A late event
therefore lands in the right place (splitting or closing versions), and the cost of a run is
the history of the batch's keys.
Events with a null order value cannot be placed and are quarantined by the silver batch.
"""

from __future__ import annotations

from dataclasses import replace

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.strategies.base import (
    NOW,
    MergeContext,
    MergePlan,
    Stage,
    changed,
    hash_greater,
    insert_clause,
    is_delete,
    key_match,
    row_hash,
    set_clause,
)


def companion_columns(ctx: MergeContext) -> list[str]:
    return [*ctx.columns, *([ctx.op_col] if ctx.has_op and ctx.op_col not in ctx.columns else [])]


def plan(ctx: MergeContext) -> MergePlan:
    assert ctx.order_col and ctx.companion, "scd2 needs an order column and its event log"
    o, log, logged = quote(ctx.order_col), ctx.companion, companion_columns(ctx)
    s_del, t_del = is_delete(ctx, "s"), is_delete(ctx, "t")
    plain = replace(ctx, silver_timestamps=False)  # the event log has no timestamps
    record = (
        f"MERGE INTO {log} t USING {ctx.source} s ON {key_match(ctx)} AND t.{o} = s.{o} "
        f"WHEN MATCHED AND (({s_del} AND NOT {t_del}) OR ({s_del} = {t_del} AND "
        f"{hash_greater(ctx)})) THEN UPDATE SET {set_clause(plain, logged)} "
        f"WHEN NOT MATCHED THEN INSERT {insert_clause(plain, logged)}"
    )
    part = ", ".join(f"{quote(k)}" for k in ctx.keys)
    batch_keys = f"(SELECT DISTINCT {part} FROM {ctx.source})"
    # Tracked columns: every data column but the order column itself.
    tracked = [c for c in ctx.columns if c != ctx.order_col]
    value = row_hash(tracked, "l") if tracked else "'row'"
    state = f"CASE WHEN {is_delete(ctx, 'l')} THEN 'D' ELSE {value} END"
    events = (f"(SELECT l.*, {state} AS _state FROM {log} l LEFT SEMI JOIN {batch_keys} b "
              f"ON {key_match(ctx, 'l', 'b')})")
    marked = (f"(SELECT e.*, lag(_state) OVER (PARTITION BY {part} ORDER BY {o}) AS _prev "
              f"FROM {events} e)")
    kept = f"(SELECT m.* FROM {marked} m WHERE _prev IS NULL OR _prev <> _state)"
    vf, vt, cur = (quote(c) for c in (ctx.scd2_valid_from, ctx.scd2_valid_to,
                                      ctx.scd2_is_current))
    data = ", ".join(f"h.{quote(c)}" for c in ctx.columns)
    history = (
        f"(SELECT {data}, h.{o} AS {vf}, h._next AS {vt}, h._next IS NULL AS {cur} FROM "
        f"(SELECT k.*, lead({o}) OVER (PARTITION BY {part} ORDER BY {o}) AS _next "
        f"FROM {kept} k) h WHERE h._state <> 'D')"
    )
    versions = [*ctx.columns, ctx.scd2_valid_from, ctx.scd2_valid_to, ctx.scd2_is_current]
    current = ("(SELECT " + ", ".join(f"x.{quote(c)}" for c in versions) + f" FROM "
               f"{ctx.target} x LEFT SEMI JOIN {batch_keys} b ON {key_match(ctx, 'x', 'b')})")
    # One pass over the recomputed history: a version silver holds that the history lacks
    # (x without h) is deleted; the history's versions are upserted.
    gone = f"h.{vf} IS NULL"
    cols = ", ".join(f"CASE WHEN {gone} THEN x.{quote(c)} ELSE h.{quote(c)} END AS {quote(c)}"
                     for c in versions)
    source = (f"SELECT {cols}, CASE WHEN {gone} THEN 'delete' ELSE 'upsert' END AS _action, "
              f"current_timestamp() AS {NOW} FROM {history} h FULL OUTER JOIN {current} x "
              f"ON {key_match(ctx, 'h', 'x')} AND h.{vf} = x.{vf}")
    staged = Stage(f"{ctx.source}_scd2", source)
    merge = (
        f"MERGE INTO {ctx.target} t USING {staged.name} s ON {key_match(ctx)} "
        f"AND t.{vf} = s.{vf} "
        f"WHEN MATCHED AND s._action = 'delete' THEN DELETE "
        f"WHEN MATCHED AND {changed(ctx, versions)} THEN UPDATE SET {set_clause(ctx, versions)} "
        f"WHEN NOT MATCHED AND s._action = 'upsert' THEN INSERT {insert_clause(ctx, versions)}"
    )
    return MergePlan([record, staged, merge], "scd2 history by merge keys, ordered by "
                     f"{ctx.order_col}; late events re-placed",
                     {log: [*ctx.keys, ctx.order_col],
                      ctx.target: [*ctx.keys, ctx.scd2_valid_from]})
