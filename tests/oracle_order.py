"""The strategy lab for the order options of issue 17: sequence_by over several columns,
case-(in)sensitive op values and apply_as_truncates. One bronze-like event table with two order
columns (ts, seq), silver fed through silver_batch + write_batch as the asset does, and the
plain-Python oracle silver must equal. Shared pieces come from tests/strategy_lab.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.capabilities import Capabilities
from tests.strategy_lab import day, lab_project, promote, row_hash

DATA = ["k", "ts", "seq", "v"]  # silver data columns, in contract order
KNOWN = ("I", "U", "D", "INSERT", "UPDATE", "DELETE")
TRUNCATES = "op_type = 'T'"  # the lab's apply_as_truncates


@dataclass(frozen=True)
class OrderEvent:
    k: int | None
    ts: int | None
    seq: int | None
    v: str | None
    op: str  # I/U/D in any case; T: a truncate (only with apply_as_truncates)
    part: int


def make_order_project(
    root: Path,
    strategy: str,
    sequence_by: str | list[str],
    soft_delete: bool = False,
    op_case_sensitive: bool | None = None,
    apply_as_truncates: str | None = None,
    history_type: str | None = None,
    options: dict[str, Any] | None = None,
) -> Project:
    """`history_type`: scd2's valid_from / valid_to type (default: the order value's, a
    STRUCT<ts, seq> for two columns); `options`: further promotion fields."""
    silver: list[dict[str, Any]] = [
        {"name": "k", "type": "BIGINT", "nullable": False},
        {"name": "ts", "type": "BIGINT"},
        {"name": "seq", "type": "BIGINT"},
        {"name": "v", "type": "STRING"},
    ]
    if soft_delete:
        silver.append({"name": "is_deleted", "type": "BOOLEAN", "nullable": False})
    if strategy == "scd2":
        two = isinstance(sequence_by, list) and len(sequence_by) > 1
        kind = history_type or ("STRUCT<ts: BIGINT, seq: BIGINT>" if two else "BIGINT")
        silver += [
            {"name": "valid_from", "type": kind, "nullable": False},
            {"name": "valid_to", "type": kind},
            {"name": "is_current", "type": "BOOLEAN", "nullable": False},
        ]
    promo: dict[str, Any] = {
        "name": "t",
        "strategy": strategy,
        "source_contract": "../tables/ev_raw.json",
        "destination_contract": "../tables/ev.json",
        "merge_keys": ["k"],
        "sequence_by": sequence_by,
        **(options or {}),
    }
    if op_case_sensitive is not None:
        promo["op_case_sensitive"] = op_case_sensitive
    if apply_as_truncates is not None:
        promo["apply_as_truncates"] = apply_as_truncates
    bronze = [*(dict(c, nullable=True) for c in silver[:4]), {"name": "op_type", "type": "STRING"}]
    return lab_project(root, bronze, silver, promo)


def load_order_partition(
    spark: Any,
    caps: Capabilities,
    project: Project,
    events: list[OrderEvent],
    part: int | tuple[int, ...],
) -> dict[str, Any]:
    """Promote bronze partition(s) into silver in one run (a tuple: a backfill run)."""
    parts = part if isinstance(part, tuple) else (part,)
    rows = [(e.k, e.ts, e.seq, e.v, e.op, day(e.part)) for e in events if e.part in parts]
    df = spark.createDataFrame(
        rows, "k BIGINT, ts BIGINT, seq BIGINT, v STRING, op_type STRING, d STRING"
    )
    return promote(spark, caps, project, df, parts)


# -- the oracle ------------------------------------------------------------------------------
def _data(e: OrderEvent) -> dict[str, Any]:
    return {"k": e.k, "ts": e.ts, "seq": e.seq, "v": e.v}


def order_key(e: OrderEvent, order_cols: list[str]) -> tuple:
    """The struct of order values compared field by field, null oldest in each field."""
    values = [getattr(e, c) for c in order_cols]
    return tuple(x for v in values for x in (v is not None, v or 0))


def is_known(op: str, case_sensitive: bool) -> bool:
    return (op if case_sensitive else op.upper()) in KNOWN


def oracle_order(
    strategy: str,
    events: list[OrderEvent],
    order_cols: list[str],
    soft_delete: bool = False,
    case_sensitive: bool = False,
    truncates: bool = False,
) -> list[dict]:
    """cdc_merge or full_merge. Quarantined (never applied): null keys, unknown ops. With
    `truncates`, op T events are truncates: a row survives only when its event's order value
    is strictly greater than every truncate's (a truncate wins ties; null is oldest)."""
    cut = [e for e in events if truncates and e.op == "T"]
    live = [e for e in events if e.k is not None and is_known(e.op, case_sensitive)]
    reads_op = strategy == "cdc_merge"

    def deleted(e: OrderEvent) -> bool:
        return reads_op and e.op.upper() in ("D", "DELETE")

    def rank(e: OrderEvent) -> tuple:
        return (*order_key(e, order_cols), deleted(e), row_hash(_data(e)))

    best: dict[int, OrderEvent] = {}
    for e in live:
        if e.k not in best or rank(e) > rank(best[e.k]):
            best[e.k] = e  # type: ignore[index]
    last_cut = max((order_key(e, order_cols) for e in cut), default=None)
    rows = []
    for e in best.values():
        if last_cut is not None and not order_key(e, order_cols) > last_cut:
            continue
        if reads_op and soft_delete:
            rows.append({**_data(e), "is_deleted": deleted(e)})
        elif not deleted(e):
            rows.append(_data(e))
    return sorted(rows, key=lambda r: tuple((v is None, v) for v in r.values()))
