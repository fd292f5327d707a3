"""The lab and oracle for Lakeflow's column options (ignore_null_updates and its column lists,
track_history_column_list / _except_): a silver table k, seq, v, w fed from Python events
through silver_batch + write_batch (the code the silver asset runs), and the plain-Python
statement of the rules of strategies/null_updates.py and strategies/scd2_columns.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.capabilities import Capabilities
from tests import strategy_lab as lab
from tests.strategy_lab import day, row_hash

COLUMNS = ["k", "seq", "v", "w"]  # silver data columns, in contract order


@dataclass(frozen=True)
class Event:
    k: int | None
    seq: int | None
    v: str | None
    w: str | None
    op: str  # I, U or D
    part: int  # the bronze partition it landed in


def make_project(
    root: Path,
    strategy: str,
    options: dict[str, Any],
    soft_delete: bool = False,
    stored: list[str] = COLUMNS,
) -> Project:
    """`stored`: the data columns the silver contract declares (bronze has all of COLUMNS)."""
    typed = {"k": "BIGINT", "seq": "BIGINT", "v": "STRING", "w": "STRING"}
    bronze = [{"name": c, "type": t} for c, t in typed.items()]
    silver: list[dict[str, Any]] = [
        {"name": c, "type": t, **({"nullable": False} if c == "k" else {})}
        for c, t in typed.items()
        if c in stored
    ]
    if soft_delete:
        silver.append({"name": "is_deleted", "type": "BOOLEAN", "nullable": False})
    if strategy == "scd2":
        silver += [
            {"name": "valid_from", "type": "BIGINT", "nullable": False},
            {"name": "valid_to", "type": "BIGINT"},
            {"name": "is_current", "type": "BOOLEAN", "nullable": False},
        ]
    promo = {
        "name": "t",
        "strategy": strategy,
        "source_contract": "../tables/ev_raw.json",
        "destination_contract": "../tables/ev.json",
        "merge_keys": ["k"],
        "sequence_by": "seq",
        **options,
    }
    return lab.lab_project(root, [*bronze, {"name": "op_type", "type": "STRING"}], silver, promo)


def load_partition(
    spark: Any, caps: Capabilities, project: Project, events: list[Event], parts: tuple[int, ...]
) -> dict[str, Any]:
    """Promote bronze partition(s) into silver in one run, as the silver asset does."""
    rows = [(e.k, e.seq, e.v, e.w, e.op, day(e.part)) for e in events if e.part in parts]
    df = spark.createDataFrame(
        rows, "k BIGINT, seq BIGINT, v STRING, w STRING, op_type STRING, d STRING"
    )
    return lab.promote(spark, caps, project, df, parts)


def without_w(events: list[Event]) -> list[lab.Event]:
    """The events as tests/strategy_lab.py's oracle takes them (k, seq, v): what silver sees
    when it does not store w."""
    return [lab.Event(e.k, e.seq, e.v, e.op, e.part) for e in events]


# -- the oracle ------------------------------------------------------------------------------
def _data(e: Event) -> dict[str, Any]:
    return {"k": e.k, "seq": e.seq, "v": e.v, "w": e.w}


def _is_del(e: Event) -> bool:
    return e.op == "D"


def _histories(events: list[Event]) -> dict[int, list[Event]]:
    """Per key, one event per order value (the ordering rule: a delete beats an upsert, then
    the greater row hash), oldest first. Null keys and null order values are quarantined."""
    best: dict[tuple[int, int], Event] = {}
    for e in events:
        if e.k is None or e.seq is None:
            continue
        point = (e.k, e.seq)
        rank = (_is_del(e), row_hash(_data(e)))
        if point not in best or rank > (_is_del(best[point]), row_hash(_data(best[point]))):
            best[point] = e
    by_key: dict[int, list[Event]] = {}
    for point in sorted(best):
        by_key.setdefault(point[0], []).append(best[point])
    return by_key


def _filled(history: list[Event], kept: set[str]) -> list[tuple[dict[str, Any], bool]]:
    """ignore_null_updates: in an upsert, a NULL in a kept column takes the latest non-NULL
    value of that column among the earlier upserts since the key's last delete."""
    out, last = [], {}
    for e in history:
        row = _data(e)
        if _is_del(e):
            out.append((row, True))
            last = {}
            continue
        for c in kept:
            if row[c] is None:
                row[c] = last.get(c)
            else:
                last[c] = row[c]
        out.append((row, False))
    return out


def cdc_oracle(events: list[Event], kept: set[str], soft_delete: bool) -> list[dict]:
    rows = []
    for history in _histories(events).values():
        row, deleted = _filled(history, kept)[-1]
        if soft_delete:
            rows.append({**row, "is_deleted": deleted})
        elif not deleted:
            rows.append(row)
    return _sorted(rows)


def scd2_oracle(events: list[Event], kept: set[str], tracked: list[str] | None) -> list[dict]:
    """A version opens where the state (delete, or tracked values) changes; its tracked
    columns, key and order value are its first event's, the others its last event's."""
    track = tracked if tracked is not None else [c for c in COLUMNS if c != "seq"]
    fixed = {*track, "k", "seq"}
    rows = []
    for history in _histories(events).values():
        versions: list[tuple[str, list[dict[str, Any]]]] = []
        for row, deleted in _filled(history, kept):
            state = "D" if deleted else row_hash({c: row[c] for c in track})
            if versions and versions[-1][0] == state:
                versions[-1][1].append(row)
            else:
                versions.append((state, [row]))
        for i, (state, span) in enumerate(versions):
            if state == "D":
                continue
            nxt = versions[i + 1][1][0]["seq"] if i + 1 < len(versions) else None
            first, last = span[0], span[-1]
            values = {c: first[c] if c in fixed else last[c] for c in COLUMNS}
            rows.append(
                {**values, "valid_from": first["seq"], "valid_to": nxt, "is_current": nxt is None}
            )
    return _sorted(rows)


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: tuple((v is None, v) for v in r.values()))
