"""snapshot_cdc and scd2 from_snapshot through real Dagster runs: a `full` ingestion's daily
snapshot files in landing, bronze then silver materialized by day (a late older day included),
silver rows checked."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import run_assets
from tests.strategy_lab import DATA, Event, day, make_project, silver_rows
from tests.test_strategies_dagster import _land

SNAPSHOTS = [
    Event(1, 1, "a", "I", 0),
    Event(2, 1, "b", "I", 0),
    Event(1, 2, "a2", "I", 1),  # day 2: key 1 changed, key 2 gone, key 3 new
    Event(3, 1, "c", "I", 1),
    Event(1, 2, "a2", "I", 2),  # day 3: key 3 changed, key 4 new
    Event(3, 2, "c2", "I", 2),
    Event(4, 1, "d", "I", 2),
]
KEYS = ["bronze/lab/ev_raw", "silver/lab/ev"]


def _row(k: int, seq: int, v: str) -> dict:
    return {"k": k, "seq": seq, "v": v}


@pytest.mark.slow
def test_snapshots_through_dagster(tmp_path, data_root, spark_resource):
    project = make_project(tmp_path / "contracts", "snapshot_cdc", load_type="full")
    _land(project, SNAPSHOTS)

    def run(part: int) -> dict:
        result = run_assets(project, spark_resource, KEYS, day(part))
        checks = result.get_asset_check_evaluations()
        assert checks and all(c.passed for c in checks), [c.check_name for c in checks]
        return result.asset_materializations_for_node("silver__lab__ev")[0].metadata

    run(0)
    assert silver_rows(project, DATA) == [_row(1, 1, "a"), _row(2, 1, "b")]
    run(2)  # day 3 before day 2: compared with day 1's state
    assert silver_rows(project, DATA) == [_row(1, 2, "a2"), _row(3, 2, "c2"), _row(4, 1, "d")]
    meta = run(1)  # the late older day changes nothing
    assert "older than the newest snapshot" in meta["snapshot_skipped"].value
    assert silver_rows(project, DATA) == [_row(1, 2, "a2"), _row(3, 2, "c2"), _row(4, 1, "d")]


def _version(k: int, seq: int, v: str, start: int, end: int | None) -> dict:
    def when(d: int | None) -> date | None:
        return None if d is None else date(2024, 1, d)

    history = {"valid_from": when(start), "valid_to": when(end), "is_current": end is None}
    return {**_row(k, seq, v), **history}


@pytest.mark.slow
def test_scd2_history_from_snapshots_through_dagster(tmp_path, data_root, spark_resource):
    project = make_project(
        tmp_path / "contracts",
        "scd2",
        load_type="full",
        promotion={"from_snapshot": True},
        history_type="DATE",
    )
    _land(project, SNAPSHOTS)
    for part in (0, 2, 1):  # day 2 arrives last: it splits key 1's and closes key 2's version
        checks = run_assets(project, spark_resource, KEYS, day(part)).get_asset_check_evaluations()
        assert checks and all(c.passed for c in checks), [c.check_name for c in checks]
    assert silver_rows(project, [*DATA, "valid_from", "valid_to", "is_current"]) == [
        _version(1, 1, "a", 1, 2),
        _version(1, 2, "a2", 2, None),
        _version(2, 1, "b", 1, 2),
        _version(3, 1, "c", 2, 3),
        _version(3, 2, "c2", 3, None),
        _version(4, 1, "d", 3, None),
    ]
