"""A small lakehouse for strategy tests: one bronze-like event table, one silver table per
strategy, fed straight from Python events through silver_batch + write_batch (the same
code the Dagster asset runs), and the plain-Python oracle every strategy must equal."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse_assets.assets.silver import silver_batch
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io.writer import write_batch
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.tables.location import locate_key
from tests.conftest import write_contract_folder
from tests.helpers import delta_rows, environment, table_path

CONFIG = {
    "EXECUTION_ENVIRONMENT": "local",
    "PARTITION_START_DATE": "2024-01-01",
    "environments": {"local": environment(layers=("bronze", "silver"))},
}
BRONZE_COLUMNS = [
    {"name": "k", "type": "BIGINT"},
    {"name": "seq", "type": "BIGINT"},
    {"name": "v", "type": "STRING"},
    {"name": "op_type", "type": "STRING"},
]
DATA = ["k", "seq", "v"]  # silver data columns, in contract order


@dataclass(frozen=True)
class Event:
    k: int | None
    seq: int | None
    v: str | None
    op: str  # I, U or D (X: a delete only by APPLY_AS_DELETES)
    part: int  # which daily partition of bronze it landed in
    removed: bool | None = None  # is_removed, read only with apply_as_deletes


# The apply_as_deletes variant: a boolean column of the source plus an op value no op test
# knows ('X'); an op 'D' alone is then an update. removed_deletes is its Python twin.
REMOVED = {"name": "is_removed", "type": "BOOLEAN"}
APPLY_AS_DELETES = "is_removed OR op_type = 'X'"


def removed_deletes(e: Event) -> bool:
    return bool(e.removed) or e.op == "X"


def op_deletes(e: Event) -> bool:
    return e.op == "D"


def day(part: int) -> str:
    return f"2024-01-{part + 1:02d}"


def make_project(
    root: Path,
    strategy: str,
    soft_delete: bool = False,
    merge_schema: bool = False,
    extra_column: str | None = None,
    apply_as_deletes: str | None = None,
    load_type: str | None = None,
    promotion: dict[str, Any] | None = None,
    history_type: str = "BIGINT",
) -> Project:
    silver: list[dict[str, Any]] = [
        {"name": "k", "type": "BIGINT", "nullable": False},
        {"name": "seq", "type": "BIGINT"},
        {"name": "v", "type": "STRING"},
    ]
    if soft_delete:
        silver.append({"name": "is_deleted", "type": "BOOLEAN", "nullable": False})
    if strategy == "scd2":
        silver += [
            {"name": "valid_from", "type": history_type, "nullable": False},
            {"name": "valid_to", "type": history_type},
            {"name": "is_current", "type": "BOOLEAN", "nullable": False},
        ]
    if extra_column:
        silver.append({"name": extra_column, "type": "STRING"})
    promo = {
        "name": "t",
        "strategy": strategy,
        "source_contract": "../tables/ev_raw.json",
        "destination_contract": "../tables/ev.json",
        "merge_keys": ["k"],
        "sequence_by": "seq",
        "merge_schema": merge_schema,
        **({"apply_as_deletes": apply_as_deletes} if apply_as_deletes else {}),
        **(promotion or {}),
    }
    bronze = [*BRONZE_COLUMNS, *([REMOVED] if apply_as_deletes else [])]
    return lab_project(root, bronze, silver, promo, load_type)


def lab_project(
    root: Path,
    bronze: list[dict[str, Any]],
    silver: list[dict[str, Any]],
    promo: dict[str, Any],
    load_type: str | None = None,
) -> Project:
    """The lab's contract folder: bronze lab.ev_raw (these columns) promoted into silver lab.ev
    (these columns) by this promotion contract; every oracle module's project is one."""
    files = {
        "config.json": json.dumps(CONFIG),
        "tables/ev_raw.json": json.dumps(
            {
                "schema": "lab",
                "name": "ev_raw",
                "columns": bronze,
                "partitions": ["_ingested_date"],
            }
        ),
        "tables/ev.json": json.dumps({"schema": "lab", "name": "ev", "columns": silver}),
        "ingestion/batch/ev_raw.json": json.dumps(
            {
                "name": "ev_raw",
                "source": {"format": "json", "path": "{path.landing}/ev"},
                "destination_contract": "../../tables/ev_raw.json",
                **({"load_type": load_type} if load_type else {}),
            }
        ),
        "ingestion/silver/ev.json": json.dumps(promo),
    }
    return load_project_or_raise(write_contract_folder(root, files))


def load_partition(
    spark: Any,
    caps: Capabilities,
    project: Project,
    events: list[Event],
    part: int | tuple[int, ...],
    extra: Any = None,
    removed: bool = False,
) -> dict[str, Any]:
    """Promote bronze partition(s) into silver in one run, as the silver asset does (a tuple of
    partitions is a backfill of a range in a single run). `removed`: bronze has is_removed."""

    parts = part if isinstance(part, tuple) else (part,)
    rows = [(e.k, e.seq, e.v, e.op, e.removed, day(e.part)) for e in events if e.part in parts]
    df = spark.createDataFrame(
        rows, "k BIGINT, seq BIGINT, v STRING, op_type STRING, is_removed BOOLEAN, d STRING"
    )
    if not removed:
        df = df.drop("is_removed")
    if extra is not None:  # a column the source gained (schema evolution tests)
        df = df.select("*", extra)
    return promote(spark, caps, project, df, parts)


def promote(
    spark: Any, caps: Capabilities, project: Project, df: Any, parts: tuple[int, ...]
) -> dict[str, Any]:
    """Bronze rows (their day in a string column `d`) of these partitions -> silver lab.ev in
    one run, through silver_batch + write_batch as the silver asset does."""
    from pyspark.sql import functions as F

    df = df.withColumn("_ingested_date", F.col("d").cast("date")).drop("d")
    asset = project.asset("silver/lab/ev")
    batch = silver_batch(df, asset, [day(p) for p in parts])
    return write_batch(spark, caps, asset, locate_key(project, asset.key, caps), batch, "test-run")


def silver_rows(project: Project, columns: list[str]) -> list[dict[str, Any]]:
    rows = delta_rows(table_path(project, "silver/lab/ev"), columns)
    return sorted(rows, key=lambda r: tuple((v is None, v) for v in r.values()))


# -- the oracle ------------------------------------------------------------------------------
def row_hash(values: dict[str, Any]) -> str:
    """sha256 of Spark's to_json(struct(...)): compact JSON, null fields omitted."""
    text = json.dumps({c: v for c, v in values.items() if v is not None}, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _data(e: Event) -> dict[str, Any]:
    return {"k": e.k, "seq": e.seq, "v": e.v}


Deletes = Callable[[Event], bool]  # which events are deletes (op D, or apply_as_deletes)


def _rank(e: Event, is_del: Deletes | None) -> tuple:
    deleted = bool(is_del and is_del(e))
    return (e.seq is not None, e.seq or 0, deleted, row_hash(_data(e)))


def oracle(
    strategy: str,
    events: list[Event],
    soft_delete: bool = False,
    deletes: Deletes = op_deletes,
) -> list[dict]:
    live = [e for e in events if e.k is not None]
    if strategy == "scd2":
        return _sorted(_scd2([e for e in live if e.seq is not None], deletes))
    is_del = deletes if strategy == "cdc_merge" else None
    first = strategy == "append_dedup"  # the first version of a key: the one all others beat
    best: dict[int, Event] = {}
    for e in live:
        beats = _rank(e, is_del) > _rank(best[e.k], is_del) if e.k in best else True
        if e.k not in best or beats != first:
            best[e.k] = e
    rows = []
    for e in best.values():
        if is_del and soft_delete:
            rows.append({**_data(e), "is_deleted": is_del(e)})
        elif not (is_del and is_del(e)):
            rows.append(_data(e))
    return _sorted(rows)


def _scd2(events: list[Event], is_del: Deletes) -> list[dict]:
    per_point: dict[tuple[int, int], Event] = {}
    for e in events:
        point = (e.k, e.seq)
        if point not in per_point or _rank(e, is_del) > _rank(per_point[point], is_del):
            per_point[point] = e  # type: ignore[index]
    by_key: dict[int, list[Event]] = {}
    for (k, _), e in sorted(per_point.items()):
        by_key.setdefault(k, []).append(e)
    rows = []
    for history in by_key.values():
        kept: list[tuple[Event, str]] = []
        for e in history:
            state = "D" if is_del(e) else row_hash({"k": e.k, "v": e.v})
            if not kept or kept[-1][1] != state:
                kept.append((e, state))
        for i, (e, state) in enumerate(kept):
            if state == "D":
                continue
            nxt = kept[i + 1][0].seq if i + 1 < len(kept) else None
            rows.append(
                {**_data(e), "valid_from": e.seq, "valid_to": nxt, "is_current": nxt is None}
            )
    return rows


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: tuple((v is None, v) for v in r.values()))
