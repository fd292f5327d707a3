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
SILVER = "silver/shop/orders"


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
    assert "note: checks are n/a because DAGSTER_HOME is not set. Set it to" in out.out


def test_status_with_the_instance_shows_checks_and_silvers_last_partition(
    demo_project, demo_landing, spark_resource, capsys, monkeypatch, tmp_path
):
    """Silver merges its days into one table (no _ingested_date): its last partition comes
    from the instance, as the check results do."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.get() as instance:
        for day in ("2024-01-01", "2024-01-02"):
            run_assets(demo_project, spark_resource, [ORDERS, SILVER], day, instance)
    assert main(["status", str(demo_project.root)]) == 0
    out = capsys.readouterr().out
    silver = next(x for x in out.splitlines() if x.startswith(SILVER))
    assert silver.split()[3] == "2024-01-02"
    assert "unique_merge_keys: succeeded" in silver
    assert "note:" not in out


def test_status_says_when_the_instance_has_no_results(
    demo_project, demo_landing, spark_resource, capsys, monkeypatch, tmp_path
):
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-01")
    home = tmp_path / "other_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert main(["status", str(demo_project.root)]) == 0
    out = capsys.readouterr().out
    assert f"note: the instance at DAGSTER_HOME={home} holds no check results" in out


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
