"""Contract errors of CDC from snapshots and of tombstone retention: each names the file, the
field and the fix, at load (lakehouse validate and code location loading)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lakehouse_assets.project_loader import load_project
from tests.conftest import write_contract_folder
from tests.test_contract_errors import CONFIG, table


def _project(root: Path, load_type: str = "full", silver: list[str] | None = None, **promo: Any):
    promotion = {
        "name": "p",
        "strategy": "snapshot_cdc",
        "source_contract": "../tables/raw.json",
        "destination_contract": "../tables/clean.json",
        "merge_keys": ["id"],
        **promo,
    }
    return load_project(
        write_contract_folder(
            root,
            {
                "config.json": CONFIG,
                "tables/raw.json": table("raw", "bronze", ["id", "ts", "v", "op"]),
                "tables/clean.json": table("clean", "silver", silver or ["id", "v"]),
                "ingestion/raw.json": json.dumps(
                    {
                        "name": "r",
                        "source": {"path": "{path.landing}/r"},
                        "destination_contract": "../tables/raw.json",
                        "load_type": load_type,
                    }
                ),
                "ingestion/p.json": json.dumps(promotion),
            },
        )
    )


def test_snapshot_cdc_on_a_full_load_is_valid(tmp_path: Path):
    assert [str(e) for e in _project(tmp_path).errors] == []


def test_snapshot_cdc_needs_a_full_load(tmp_path: Path):
    errors = [e for e in _project(tmp_path, load_type="incremental").errors]
    assert [(str(e.file), e.field) for e in errors] == [("ingestion/raw.json", "load_type")]
    assert "ingestion/p.json (snapshot_cdc)" in errors[0].message
    assert "'incremental'" in errors[0].message
    assert '"load_type": "full"' in errors[0].fix


def test_snapshot_cdc_refuses_op_col(tmp_path: Path):
    errors = _project(tmp_path, op_col="op").errors
    assert [(str(e.file), e.field) for e in errors] == [("ingestion/p.json", "op_col")]
    assert "remove op_col" in errors[0].fix


def test_snapshot_cdc_refuses_apply_as_deletes(tmp_path: Path):
    errors = _project(tmp_path, apply_as_deletes="op = 'D'").errors
    assert [(str(e.file), e.field) for e in errors] == [("ingestion/p.json", "apply_as_deletes")]
    assert "absent in the next snapshot" in errors[0].message
    assert "remove apply_as_deletes" in errors[0].fix
