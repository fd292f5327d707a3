"""scd2's history when a promotion sets Lakeflow's column options: ignore_null_updates
(strategies/null_updates.py) and track_history_column_list / track_history_except_column_list.

The rule (recomputed from the event log for the batch's keys, so any order converges):
1. events (one per key and order value) are filled per ignore_null_updates;
2. walking them oldest first, an event opens a new version when its state differs from the
   previous event's: a delete, or the values of the tracked columns (the listed ones; by
   default every data column but the order columns);
3. a version's tracked columns, keys and order column (= valid_from) are its opening event's;
   its untracked columns are those of its NEWEST event, which is what "updates the current
   version in place" means for the current version. A late event with an untracked change
   whose order value falls inside a closed version updates that version in place the same
   way if it is the newest of the version's events (and is absorbed otherwise): the version's
   untracked values are always those of its last event, whatever order events came in.
"""

from __future__ import annotations

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.strategies.base import MergeContext, order_by, order_value, row_hash
from lakehouse_assets.strategies.event_log import logged_events
from lakehouse_assets.strategies.null_updates import filled

_ALL_BEFORE = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
_WHOLE = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"


def column_history(
    ctx: MergeContext,
    batch_keys: str,
    tracked_list: tuple[str, ...] | None,
    version_columns: tuple[str, str, str],
) -> str:
    """The batch keys' versions as scd2's `_history` returns them (data columns, then the
    version_columns valid_from, valid_to, is_current), under the rule above."""
    assert ctx.order_col
    tracked = (
        list(tracked_list)
        if tracked_list is not None
        else [c for c in ctx.columns if c not in ctx.order_cols]
    )
    o, part = order_by(ctx, "m"), ", ".join(quote(k) for k in ctx.keys)
    events = logged_events(ctx, batch_keys)
    if ctx.ignore_nulls:
        events = filled(ctx, events)
    value = row_hash(tracked, "e") if tracked else "'row'"
    states = f"(SELECT e.*, CASE WHEN e._del THEN 'D' ELSE {value} END AS _state FROM {events} e)"
    by_key = f"PARTITION BY {part} ORDER BY {o}"
    marked = (
        f"(SELECT m.*, coalesce(lag(m._state) OVER ({by_key}) <> m._state, TRUE) AS _opens "
        f"FROM {states} m)"
    )
    grouped = (
        f"(SELECT m.*, sum(CASE WHEN m._opens THEN 1 ELSE 0 END) OVER ({by_key} {_ALL_BEFORE}) "
        f"AS _version FROM {marked} m)"
    )
    fixed = {*tracked, *ctx.keys, *ctx.order_cols}
    whole = f"PARTITION BY {part}, g._version ORDER BY {order_by(ctx, 'g')} {_WHOLE}"
    cols = [
        f"g.{quote(c)}" if c in fixed else f"last_value(g.{quote(c)}) OVER ({whole}) AS {quote(c)}"
        for c in ctx.columns
    ]
    # The order columns again under names of their own: a window cannot ORDER BY the struct
    # _from (Sail: no range frames over a struct), and they need not be data columns.
    again = [f"g.{quote(c)} AS _o{i}" for i, c in enumerate(ctx.order_cols)]
    versions = (
        f"(SELECT {', '.join(cols)}, {order_value(ctx, 'g')} AS _from, {', '.join(again)}, "
        f"g._opens, g._state FROM {grouped} g)"
    )
    by_order = ", ".join(f"v._o{i}" for i in range(len(ctx.order_cols)))
    vf, vt, cur = (quote(c) for c in version_columns)
    data = ", ".join(f"h.{quote(c)}" for c in ctx.columns)
    return (
        f"(SELECT {data}, h._from AS {vf}, h._next AS {vt}, h._next IS NULL AS {cur} FROM "
        f"(SELECT v.*, lead(v._from) OVER (PARTITION BY {part} ORDER BY {by_order}) AS _next "
        f"FROM {versions} v WHERE v._opens) h WHERE h._state <> 'D')"
    )
