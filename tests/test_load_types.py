"""load_type keeps its documented meaning: the contract checks and their exact messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lakehouse_assets.project_loader import load_project


def _edit(root: Path, rel: str, **fields: Any) -> None:
    path = root / rel
    spec = json.loads(path.read_text())
    spec.update(fields)
    path.write_text(json.dumps(spec))


def _issues(root: Path, field: str = "load_type") -> list[str]:
    return [str(i) for i in load_project(str(root)).issues if i.field == field]


def test_demo_load_types_are_consistent(demo_dir: Path):
    assert _issues(demo_dir) == []


def test_cdc_load_needs_the_op_column_its_promotion_reads(demo_dir: Path):
    _edit(demo_dir, "ingestion/silver/orders.json", op_col="change_op")
    assert _issues(demo_dir) == [
        "error: ingestion/batch/orders.json: load_type: load_type 'cdc' needs the operation "
        "column 'change_op' (I/U/D) in the bronze table tables/bronze/orders_raw.json (fix: add "
        '{"name": "change_op", "type": "STRING"} to the columns of '
        "tables/bronze/orders_raw.json, or set load_type to 'incremental' or 'full')"
    ]


def test_cdc_load_promoted_without_ops(demo_dir: Path):
    _edit(demo_dir, "ingestion/batch/products.json", load_type="cdc")
    assert _issues(demo_dir) == [
        "error: ingestion/batch/products.json: load_type: load_type 'cdc' needs the operation "
        "column 'op_type' (I/U/D) in the bronze table tables/bronze/products_raw.json (fix: add "
        '{"name": "op_type", "type": "STRING"} to the columns of '
        "tables/bronze/products_raw.json, or set load_type to 'incremental' or 'full')",
        "warning: ingestion/batch/products.json: load_type: load_type 'cdc' is promoted by "
        "ingestion/silver/products.json with strategy 'full_merge', which reads no operation "
        "column: its deletes become upserts (fix: use strategy 'cdc_merge' or 'scd2' there)",
    ]


def test_streaming_load_type_read_as_batch_is_a_warning(demo_dir: Path):
    _edit(demo_dir, "ingestion/streaming/events.json", ingest_type="batch")
    project = load_project(str(demo_dir))
    assert [str(i) for i in project.issues] == [
        "warning: ingestion/streaming/events.json: load_type: load_type 'streaming' with "
        "ingest_type 'batch' runs as batch (a landing sensor every 60 s) (fix: set "
        '"ingest_type": "streaming" for available-now streaming, or load_type to '
        "'incremental')"
    ]
    assert not project.errors
    _edit(
        demo_dir,
        "ingestion/streaming/events.json",
        ingest_type="streaming",
        load_type="incremental",
    )  # the reverse: what the files hold, how they are read
    assert load_project(str(demo_dir)).issues == []
