"""The differential test's contract folder (tests/dkops_diff, written as DKOps users write
theirs) without DKOps: it loads with one info, and a silver day whose bronze partition is empty
succeeds (both found by running it against DKOps; see tests/test_dkops_differential.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse_assets.project_loader import load_project
from tests.dkops_diff.landing_data import write_day
from tests.helpers import delta_rows, run_assets, table_path

CONTRACTS = Path(__file__).parent / "dkops_diff" / "contracts"


def test_folder_loads_with_source_schema_as_info(data_root):
    project = load_project(CONTRACTS)
    # DKOps' reader schema hint (source.schema) is known, not an "unknown field" warning.
    assert [str(i) for i in project.issues] == [
        "info: ingestion/batch/events.json: source.schema: accepted and ignored: the "
        "contract's columns are the schema (fix: remove it)"
    ]


@pytest.mark.slow
def test_silver_day_with_empty_bronze_partition(data_root, spark_resource):
    """Day 2 has no landing file: its bronze partition is empty and silver merges nothing
    (it failed: the batch computed once in scratch was read back without columns)."""
    project = load_project(CONTRACTS)
    write_day(Path(project.environment.paths["landing"]), "2024-03-01")
    keys = ["bronze/shop/customers_raw", "silver/shop/customers_current"]
    assert run_assets(project, spark_resource, keys, "2024-03-01").success
    result = run_assets(project, spark_resource, keys, "2024-03-02")
    assert result.success
    silver = result.asset_materializations_for_node("silver__shop__customers_current")
    assert silver[0].metadata["rows_written"].value == 0
    rows = delta_rows(table_path(project, "silver/shop/customers_current"), ["customer_id"])
    assert sorted(r["customer_id"] for r in rows) == ["c1", "c2"]
