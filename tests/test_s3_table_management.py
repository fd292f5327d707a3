"""What delta-rs does for tables besides writes, on s3:// tables of a moto S3 server on
127.0.0.1: `lakehouse status` (the real CLI, as a subprocess with the S3 variables) and a safe
schema migration (a contract gains a column; `alter.add_columns` through delta-rs on Sail)."""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import pytest
from dagster import DagsterInstance

from lakehouse_assets.demo.generator import generate
from lakehouse_assets.storage.delta import delta_table
from tests.conftest import REPO
from tests.helpers import run_assets, run_command
from tests.object_store_lake import contracts_at, rows, upload_folder
from tests.s3_server import SECRET, new_bucket, s3_environment, use_endpoint

pytestmark = pytest.mark.slow

DAYS = ["2024-01-01", "2024-01-02"]
BRONZE, SILVER = "bronze/shop/products_raw", "silver/shop/products"


def _status_line(out: str, key: str) -> list[str]:
    return next(x for x in out.splitlines() if x.startswith(key + " ")).split()


def test_status_and_migration_on_s3(
    tmp_path, data_root, monkeypatch, s3_endpoint, spark_resource, capsys
):
    from lakehouse_assets.cli import main
    from lakehouse_assets.code_location import build_definitions
    from lakehouse_assets.migrations.job import JOB_NAME
    from lakehouse_assets.migrations.plan import plan_for
    from lakehouse_assets.project_loader import load_project_or_raise

    use_endpoint(monkeypatch, s3_endpoint)
    bucket = new_bucket(s3_endpoint, "ops")
    contracts = contracts_at(tmp_path, f"s3://{bucket}")
    project = load_project_or_raise(str(contracts))
    local = tmp_path / "generated"
    generate(local, date(2024, 1, 1), len(DAYS), scale=1)
    for day in DAYS:
        upload_folder(local / "products" / f"dt={day}", f"s3://{bucket}/landing/products/dt={day}")
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.get() as instance:
        for day in DAYS:
            run_assets(project, spark_resource, [BRONZE, SILVER], day, instance)

    # `lakehouse status`, the real CLI in a process of its own, reads the S3 tables.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        **s3_environment(s3_endpoint),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(REPO),
    }
    done = run_command(
        [sys.executable, "-m", "lakehouse_assets.cli", "status", str(contracts)],
        timeout_s=600,
        cwd=REPO,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert SECRET not in done.stdout + done.stderr
    bronze_url, silver_url = f"s3://{bucket}/{BRONZE}", f"s3://{bucket}/{SILVER}"
    bronze = _status_line(done.stdout, BRONZE)
    assert bronze[1:4] == [
        str(delta_table(bronze_url).version()),
        str(len(rows(bronze_url))),
        DAYS[-1],
    ]
    assert int(bronze[1]) >= 2 and int(bronze[2]) > 10  # created, then one write per day
    silver_before = {r["product_id"]: r for r in rows(silver_url)}
    silver = _status_line(done.stdout, SILVER)
    assert silver[1:4] == [
        str(delta_table(silver_url).version()),
        str(len(silver_before)),
        DAYS[-1],  # silver has no _ingested_date: from the instance
    ]
    assert "schema_migration: succeeded" in " ".join(silver)  # the check results too
    assert "not built yet" in " ".join(_status_line(done.stdout, "silver/shop/orders"))

    # A new contract version: silver products gains a column and widens its price; the
    # migrations job changes the S3 table through delta-rs (Sail has no ALTER TABLE): the
    # column added in place, the price by a rewrite; every row kept.
    contract_file = contracts / "tables/silver/products.json"
    spec = json.loads(contract_file.read_text())
    spec["columns"].append({"name": "brand", "type": "STRING", "comment": "maker"})
    price = next(c for c in spec["columns"] if c["name"] == "price")
    assert price["type"] == "DECIMAL(10,2)"
    price["type"] = "DECIMAL(14,2)"
    contract_file.write_text(json.dumps(spec))
    assert main(["plan", str(contracts)]) == 0  # what `lakehouse plan` shows first
    shown = capsys.readouterr().out
    assert "silver.shop.products: 2 safe, 0 destructive" in shown
    assert "+ widen_type: price DECIMAL(10,2) -> DECIMAL(14,2)" in shown
    assert "+ add_column: brand STRING" in shown
    defs = build_definitions(str(contracts), spark=spark_resource)
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(JOB_NAME).execute_in_process(
            resources={"spark": spark_resource}, instance=instance
        )
    assert result.success
    fields = {f.name: f for f in delta_table(silver_url).schema().fields}
    assert fields["brand"].metadata == {"comment": "maker"}
    assert fields["price"].type.type == "decimal(14,2)"
    after = {r["product_id"]: r for r in rows(silver_url)}
    assert set(after) == set(silver_before) and {r["brand"] for r in after.values()} == {None}
    for key, row in silver_before.items():
        assert {k: after[key][k] for k in row} == row

    # Planned again against the S3 table, the contract is now met (what the schema_migration
    # check of the asset runs).
    project = load_project_or_raise(str(contracts))
    plan = plan_for(None, project, project.asset(SILVER), spark_resource.capabilities)
    assert plan.exists and plan.steps == []
    assert not list(data_root.rglob("_delta_log")), "a table was written locally"
