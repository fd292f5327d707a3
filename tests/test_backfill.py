"""A 5-day backfill in one run (BackfillPolicy.single_run) gives the same tables as five
single-partition runs applied day by day, for every bronze, silver and gold table."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from dagster import AssetsDefinition, materialize
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.demo.generator import generate
from lakehouse_assets.project_loader import load_project_or_raise
from tests.helpers import QUIET, delta_rows

DAYS = [f"2024-01-0{i}" for i in range(1, 6)]
# Columns that record when something ran, not what the data is.
RUN_TIME_COLUMNS = {"_ingested_at", "_silver_created_at", "_silver_modified_at"}


def _build(
    demo_dir: Path, root: Path, monkeypatch: pytest.MonkeyPatch, spark_resource, ranged: bool
) -> dict[str, list[str]]:
    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(root))
    project = load_project_or_raise(str(demo_dir))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), len(DAYS), scale=1)
    resources = dict(build_definitions(str(demo_dir), spark=spark_resource).resources or {})
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    partitioned = [a for a in assets if a.partitions_def is not None]
    if ranged:
        tags = {ASSET_PARTITION_RANGE_START_TAG: DAYS[0], ASSET_PARTITION_RANGE_END_TAG: DAYS[-1]}
        result = materialize(partitioned, tags=tags, resources=resources, run_config=QUIET)
        assert result.success
        meta = result.asset_materializations_for_node("silver__shop__orders")[0].metadata
        assert meta["partitions"].value == ", ".join(DAYS)
    else:
        for day in DAYS:
            materialize(partitioned, partition_key=day, resources=resources, run_config=QUIET)
    gold = [a.key for a in assets if a.partitions_def is None]
    materialize(assets, selection=gold, resources=resources, run_config=QUIET)
    tables: dict[str, list[str]] = {}
    for table in project.assets.values():
        path = Path(project.environment.paths[table.layer]) / table.key[1] / table.key[2]
        rows = [{k: v for k, v in r.items() if k not in RUN_TIME_COLUMNS} for r in delta_rows(path)]
        tables[table.key_string] = sorted(
            json.dumps(r, sort_keys=True, default=str).replace(str(root), "<root>") for r in rows
        )
    return tables


@pytest.mark.slow
def test_five_day_range_equals_five_single_runs(demo_dir, tmp_path, monkeypatch, spark_resource):
    singles = _build(demo_dir, tmp_path / "singles", monkeypatch, spark_resource, ranged=False)
    ranged = _build(demo_dir, tmp_path / "ranged", monkeypatch, spark_resource, ranged=True)
    assert set(singles) == set(ranged)
    for key in singles:
        assert singles[key], f"{key} is empty: the comparison would prove nothing"
        assert ranged[key] == singles[key], key
