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


def scd2_order_oracle(
    events: list[OrderEvent], order_cols: list[str], fill_nulls: bool = False
) -> list[dict]:
    """`fill_nulls`: ignore_null_updates (every data column): events are filled first (as
    `_filled` says), then versions built from them; the lab's columns are all tracked."""
    tracked = [c for c in DATA if c not in order_cols]
    rows = []
    for history in histories(events, order_cols).values():
        kept: list[tuple[dict[str, Any], str]] = []
        for row, deleted in _filled(history, fill_nulls):
            state = "D" if deleted else row_hash({c: row[c] for c in tracked})
            if not kept or kept[-1][1] != state:
                kept.append((row, state))
        for i, (row, state) in enumerate(kept):
            if state == "D":
                continue
            nxt = _value(kept[i + 1][0], order_cols) if i + 1 < len(kept) else None
            rows.append(
                {
                    **row,
                    "valid_from": _value(row, order_cols),
                    "valid_to": nxt,
                    "is_current": nxt is None,
                }
            )
    return sort_rows(rows)


def _value(row: dict[str, Any], order_cols: list[str]) -> Any:
    """What valid_from holds: the column's value, or with several the struct of them."""
    if len(order_cols) == 1:
        return row[order_cols[0]]
    return {c: row[c] for c in order_cols}


def _filled(history: list[OrderEvent], fill: bool) -> list[tuple[dict[str, Any], bool]]:
    """A key's events as rows; with `fill`, an upsert's NULL v takes the latest non-NULL v of
    the earlier upserts since the last delete (order columns are never NULL here)."""
    out, last = [], None
    for e in history:
        row = _data(e)
        if _is_del(e):
            out.append((row, True))
            last = None
            continue
        if fill and row["v"] is None:
            row["v"] = last
        elif row["v"] is not None:
            last = row["v"]
        out.append((row, False))
    return out


def null_updates_oracle(events: list[OrderEvent], order_cols: list[str]) -> list[dict]:
    """cdc_merge with ignore_null_updates (hard deletes): a key's newest event, its NULL v
    filled from the latest non-NULL v among the earlier upserts since the last delete."""
    rows = []
    for history in histories(events, order_cols).values():
        row, deleted = _filled(history, True)[-1]
        if not deleted:
            rows.append(row)
    return sort_rows(rows)


def sort_rows(rows: list[dict]) -> list[dict]:
    """Rows in one order whatever their values (struct values are dicts)."""
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r.values()))
