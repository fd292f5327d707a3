"""`lakehouse status`: Delta version, rows, last partition per table; check results from the
Dagster instance."""

from __future__ import annotations

from dagster import (
    AssetCheckResult,
    DagsterInstance,
    Definitions,
    asset,
    asset_check,
    materialize,
)
from deltalake import DeltaTable

from lakehouse_assets.cli import main
from lakehouse_assets.status import check_results
from tests.helpers import delta_rows, run_assets, table_path

ORDERS = "bronze/shop/orders_raw"


def test_status_reports_versions_rows_and_last_partition(
    demo_project, demo_landing, spark_resource, capsys, monkeypatch
):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    for day in ("2024-01-01", "2024-01-02"):
        run_assets(demo_project, spark_resource, [ORDERS], day)
    assert main(["status", str(demo_project.root)]) == 0
    out = capsys.readouterr()
    line = next(x for x in out.out.splitlines() if x.startswith(ORDERS))
    rows = len(delta_rows(table_path(demo_project, ORDERS)))
    version = DeltaTable(str(table_path(demo_project, ORDERS))).version()
    assert version >= 2  # created, then one write per partition
    assert line.split()[1:4] == [str(version), str(rows), "2024-01-02"]
    assert line.rstrip().endswith("n/a")
    silver = next(x for x in out.out.splitlines() if x.startswith("silver/shop/orders"))
    assert "not built yet" in silver
    assert f"... reading {ORDERS}" in out.err  # progress goes to stderr


def test_check_results_come_from_the_instance():
    @asset
    def numbers() -> int:
        return 3

    @asset_check(asset=numbers)
    def positive() -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    @asset_check(asset=numbers)
    def small() -> AssetCheckResult:
        return AssetCheckResult(passed=False)

    defs = Definitions(assets=[numbers], asset_checks=[positive, small])
    with DagsterInstance.ephemeral() as instance:
        assert check_results(defs, ["numbers"], instance) == {}
        materialize([numbers, positive, small], instance=instance)
        found = check_results(defs, ["numbers"], instance)
    assert found == {"numbers": {"positive": "succeeded", "small": "failed"}}
