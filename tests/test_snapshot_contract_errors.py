"""Contract errors of CDC from snapshots and of tombstone retention: each names the file, the
field and the fix, at load (lakehouse validate and code location loading)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lakehouse_assets.project_loader import load_project
from tests.test_contract_errors import promotion_folder, table


def _project(root: Path, load_type: str = "full", silver: list[str] | None = None, **promo: Any):
    promo = {"strategy": "snapshot_cdc", **promo}
    return promotion_folder(
        root,
        table("raw", "bronze", ["id", "ts", "v", "op"]),
        table("clean", "silver", silver or ["id", "v"]),
        load_type,
        **promo,
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


def test_scd2_from_snapshot_needs_no_order_and_dates_its_versions(tmp_path: Path):
    history = ["id", "v", "valid_from", "valid_to", "is_current"]
    errors = _project(tmp_path, silver=history, strategy="scd2", from_snapshot=True).errors
    # The columns are declared STRING here: scd2 from snapshots fills them with dates.
    assert {(e.field, e.message.split(" is ")[0]) for e in errors} == {
        ("columns[2].type", "valid_from"),
        ("columns[3].type", "valid_to"),
        ("columns[4].type", "is_current"),
    }
    assert any("declare valid_from as DATE" in e.fix for e in errors)


def test_scd2_from_snapshot_refuses_op_col(tmp_path: Path):
    history = ["id", "v", "valid_from", "valid_to", "is_current"]
    errors = _project(
        tmp_path / "a", silver=history, strategy="scd2", from_snapshot=True, op_col="op"
    ).errors
    assert "op_col" in [e.field for e in errors]


def test_from_snapshot_only_where_snapshots_are_read(tmp_path: Path):
    errors = _project(tmp_path, strategy="full_merge", from_snapshot=True).errors
    assert [(str(e.file), e.field) for e in errors] == [("ingestion/p.json", "from_snapshot")]
    assert "snapshot_cdc" in errors[0].fix


def _cdc(root: Path, silver: list[str] | None = None, **promo: Any):
    return _project(
        root, "cdc", silver, strategy="cdc_merge", sequence_by="ts", op_col="op", **promo
    )


def test_tombstone_retention_on_cdc_merge_is_valid(tmp_path: Path):
    assert [str(e) for e in _cdc(tmp_path, tombstone_retention="7 days").errors] == []


def test_a_bad_retention_names_the_file_the_field_and_the_form(tmp_path: Path):
    # (The promotion that fails to load no longer tells load_type 'cdc' its op_col: not ours.)
    errors = [
        e for e in _cdc(tmp_path, tombstone_retention="1 week").errors if e.field != "load_type"
    ]
    assert [(str(e.file), e.field) for e in errors] == [("ingestion/p.json", "tombstone_retention")]
    assert "'N days' or 'N hours'" in errors[0].message


def test_retention_without_hard_delete_tombstones_is_refused(tmp_path: Path):
    soft = _cdc(tmp_path / "soft", ["id", "ts", "v", "is_deleted"], tombstone_retention="7 days")
    history = ["id", "ts", "v", "valid_from", "valid_to", "is_current"]
    scd2 = _project(
        tmp_path / "scd2",
        "cdc",
        history,
        strategy="scd2",
        sequence_by="ts",
        op_col="op",
        tombstone_retention="7 days",
    )
    nulls = _cdc(tmp_path / "nulls", tombstone_retention="7 days", ignore_null_updates=True)
    for project in (soft, scd2, nulls):
        mine = [e for e in project.errors if e.field == "tombstone_retention"]
        assert len(mine) == 1, project.errors
        assert "hard deletes" in mine[0].message and "remove tombstone_retention" in mine[0].fix


def test_scd2_from_snapshot_needs_a_full_load_too(tmp_path: Path):
    folder = _project(tmp_path, "incremental", strategy="scd2", from_snapshot=True).root
    types = {"valid_from": "DATE", "valid_to": "DATE", "is_current": "BOOLEAN"}
    columns = ["id", "v", "valid_from", "valid_to", "is_current"]
    silver = {
        "catalog": "{catalog.silver}",
        "schema": "s",
        "name": "clean",
        "columns": [{"name": c, "type": types.get(c, "STRING")} for c in columns],
    }
    (folder / "tables" / "clean.json").write_text(json.dumps(silver))
    errors = load_project(folder).errors
    assert [(str(e.file), e.field) for e in errors] == [("ingestion/raw.json", "load_type")]
    assert "ingestion/p.json (scd2)" in errors[0].message
