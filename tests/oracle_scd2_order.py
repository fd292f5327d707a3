"""The oracle for scd2 (and ignore_null_updates) with sequence_by over several columns: the
lab of tests/oracle_order.py (k, ts, seq, v), the order value being the tuple of the order
columns. Events with a NULL in any order column are quarantined; each (key, order value) keeps
one event (a delete beats an upsert, then the greater row hash); scd2's versions open where the
state (delete, or the values of the columns that are not order columns) changes, and
valid_from / valid_to are the struct of the order values ({"ts": .., "seq": ..})."""

from __future__ import annotations

from typing import Any

from tests.oracle_order import DATA, OrderEvent
from tests.strategy_lab import row_hash


def _data(e: OrderEvent) -> dict[str, Any]:
    return {c: getattr(e, c) for c in DATA}


def _is_del(e: OrderEvent) -> bool:
    return e.op.upper() in ("D", "DELETE")


def histories(events: list[OrderEvent], order_cols: list[str]) -> dict[int, list[OrderEvent]]:
    """Per key, one event per order value, oldest first (order values compared as tuples)."""
    best: dict[tuple, OrderEvent] = {}
    for e in events:
        values = tuple(getattr(e, c) for c in order_cols)
        if e.k is None or None in values or e.op.upper() not in ("I", "U", "D"):
            continue
        point = (e.k, *values)
        rank = (_is_del(e), row_hash(_data(e)))
        if point not in best or rank > (_is_del(best[point]), row_hash(_data(best[point]))):
            best[point] = e
    by_key: dict[int, list[OrderEvent]] = {}
    for point in sorted(best):
        by_key.setdefault(point[0], []).append(best[point])
    return by_key


def order_value(e: OrderEvent, order_cols: list[str]) -> Any:
    """What valid_from holds: the column's value, or the struct of several as a dict."""
    if len(order_cols) == 1:
        return getattr(e, order_cols[0])
    return {c: getattr(e, c) for c in order_cols}


def scd2_order_oracle(events: list[OrderEvent], order_cols: list[str]) -> list[dict]:
    tracked = [c for c in DATA if c not in order_cols]
    rows = []
    for history in histories(events, order_cols).values():
        kept: list[tuple[OrderEvent, str]] = []
        for e in history:
            state = "D" if _is_del(e) else row_hash({c: getattr(e, c) for c in tracked})
            if not kept or kept[-1][1] != state:
                kept.append((e, state))
        for i, (e, state) in enumerate(kept):
            if state == "D":
                continue
            nxt = order_value(kept[i + 1][0], order_cols) if i + 1 < len(kept) else None
            rows.append(
                {
                    **_data(e),
                    "valid_from": order_value(e, order_cols),
                    "valid_to": nxt,
                    "is_current": nxt is None,
                }
            )
    return sort_rows(rows)


def null_updates_oracle(events: list[OrderEvent], order_cols: list[str]) -> list[dict]:
    """cdc_merge with ignore_null_updates (hard deletes): a key's newest event, its NULL v
    filled from the latest non-NULL v among the earlier upserts since the last delete."""
    rows = []
    for history in histories(events, order_cols).values():
        last: Any = None
        row: dict[str, Any] = {}
        for e in history:
            row = _data(e)
            if _is_del(e):
                last = None
                continue
            if row["v"] is None:
                row["v"] = last
            else:
                last = row["v"]
        if not _is_del(history[-1]):
            rows.append(row)
    return sort_rows(rows)


def sort_rows(rows: list[dict]) -> list[dict]:
    """Rows in one order whatever their values (struct values are dicts)."""
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r.values()))
