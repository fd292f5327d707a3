"""Safe migrations: a contract vs its live Delta table, every plan kind, applied via delta-rs."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from deltalake import DeltaTable

from lakehouse_assets.contracts.models import Column
from lakehouse_assets.contracts.project import LoadedTable
from lakehouse_assets.migrations.apply import apply_plan
from lakehouse_assets.migrations.plan import plan_for, widening_allowed
from tests.helpers import delta_rows, run_assets, run_command, table_path, without_connect_client

PRODUCTS = "silver/shop/products"


@pytest.fixture
def products(demo_project, spark_resource):
    from lakehouse_assets.demo.generator import generate

    generate(Path(demo_project.environment.paths["landing"]), date(2024, 1, 1), 1)
    run_assets(demo_project, spark_resource, ["bronze/shop/products_raw", PRODUCTS], "2024-01-01")
    return demo_project


def _with_contract(project, key: str, **changes):
    asset = project.asset(key)
    contract = asset.contract.model_copy(update=changes)
    return dataclasses.replace(
        asset, table=LoadedTable(asset.table.file, contract, asset.table.declared_layer)
    )


def _columns(asset, edit) -> list[Column]:
    return [edit(c) for c in asset.contract.columns]


def test_widening_rules():
    assert widening_allowed("INT", "BIGINT") and widening_allowed("FLOAT", "DOUBLE")
    assert widening_allowed("DECIMAL(10,2)", "DECIMAL(12,2)")
    assert widening_allowed("DATE", "TIMESTAMP_NTZ")
    assert not widening_allowed("BIGINT", "INT") and not widening_allowed("STRING", "INT")
    assert not widening_allowed("DECIMAL(10,2)", "DECIMAL(10,1)")


def test_safe_steps_are_planned_and_applied(products, spark_resource, spark):
    caps = spark_resource.capabilities
    asset = products.asset(PRODUCTS)
    before = delta_rows(table_path(products, PRODUCTS))
    new_cols = _columns(
        asset,
        lambda c: c.model_copy(update={"comment": "the price in EUR"}) if c.name == "price" else c,
    )
    new_cols.append(Column(name="brand", type="STRING", comment="maker"))
    changed = _with_contract(
        products,
        PRODUCTS,
        columns=new_cols,
        description="Products, current",
        properties={**asset.contract.properties, "owner_team": "catalog"},
    )
    plan = plan_for(spark, products, changed, caps)
    assert sorted(s.kind for s in plan.steps) == [
        "add_column",
        "column_comment",
        "set_properties",
        "table_comment",
    ]
    assert not plan.destructive
    assert any("ADD COLUMNS (`brand` STRING COMMENT 'maker')" in s for s in plan.sql())
    assert (
        apply_plan(spark, plan, caps, dry_run=True)
        and DeltaTable(str(table_path(products, PRODUCTS))).schema().fields[-1].name != "brand"
    )
    apply_plan(spark, plan, caps)
    table = DeltaTable(str(table_path(products, PRODUCTS)))
    fields = {f.name: f for f in table.schema().fields}
    assert fields["brand"].metadata == {"comment": "maker"}
    assert fields["price"].metadata["comment"] == "the price in EUR"
    assert table.metadata().description == "Products, current"
    assert table.metadata().configuration["owner_team"] == "catalog"
    after = delta_rows(table_path(products, PRODUCTS))
    assert len(after) == len(before) and all(r["brand"] is None for r in after)
    assert plan_for(spark, products, changed, caps).steps == []  # now up to date


def test_widen_type_and_relax_not_null(products, spark_resource, spark):
    caps = spark_resource.capabilities
    asset = products.asset(PRODUCTS)
    before = {r["product_id"]: r for r in delta_rows(table_path(products, PRODUCTS))}

    def edit(c: Column) -> Column:
        if c.name == "price":
            return c.model_copy(update={"type": "DECIMAL(14,2)"})
        if c.name == "product_id":
            return c.model_copy(update={"nullable": True})
        return c

    changed = _with_contract(products, PRODUCTS, columns=_columns(asset, edit))
    plan = plan_for(spark, products, changed, caps)
    kinds = {s.kind for s in plan.steps}
    assert {"widen_type", "drop_not_null"} <= kinds and not plan.destructive
    apply_plan(spark, plan, caps)
    fields = {f.name: f for f in DeltaTable(str(table_path(products, PRODUCTS))).schema().fields}
    assert fields["price"].type.type == "decimal(14,2)" and fields["product_id"].nullable
    after = {r["product_id"]: r for r in delta_rows(table_path(products, PRODUCTS))}
    assert {k: r["price"] for k, r in after.items()} == {k: r["price"] for k, r in before.items()}
    assert {s.kind for s in plan_for(spark, products, changed, caps).steps} <= {"table_comment"}


def test_destructive_changes_are_reported_never_applied(products, spark_resource, spark):
    caps = spark_resource.capabilities
    asset = products.asset(PRODUCTS)
    path = str(table_path(products, PRODUCTS))
    version = DeltaTable(path).version()

    def edit(c: Column) -> Column:
        if c.name == "product_id":
            return c.model_copy(update={"type": "INT"})  # narrowing
        if c.name == "category":
            return c.model_copy(update={"nullable": False})
        return c

    spark.sql(f"UPDATE delta.`{path}` SET category = NULL WHERE product_id = 1").collect()
    version = DeltaTable(path).version()
    cols = [c for c in _columns(asset, edit) if c.name != "product_name"]  # dropped
    changed = _with_contract(products, PRODUCTS, columns=cols, partitions=["category"])
    plan = plan_for(spark, products, changed, caps)
    text = "\n".join(s.detail for s in plan.destructive)
    assert "product_id: type BIGINT -> INT is not a widening" in text
    assert "product_name: in the table, not in the contract" in text
    assert "category: NOT NULL but 1 existing rows are null" in text
    assert "partitioning [] -> ['category']" in text
    apply_plan(spark, plan, caps)
    assert DeltaTable(path).version() == version  # nothing applied


def test_destructive_plan_fails_the_schema_check_and_writes_nothing(products, spark_resource):
    changed = _with_contract(
        products,
        PRODUCTS,
        columns=[c for c in products.asset(PRODUCTS).contract.columns if c.name != "product_name"],
    )
    products.assets[changed.key] = changed
    path = str(table_path(products, PRODUCTS))
    version = DeltaTable(path).version()
    with pytest.raises(Exception, match="destructive"):
        run_assets(products, spark_resource, [PRODUCTS], "2024-01-01")
    assert DeltaTable(path).version() == version


def test_plan_cli_and_apply_job(demo_dir, spark_resource, spark):
    from lakehouse_assets.code_location import build_definitions
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.migrations.job import JOB_NAME
    from lakehouse_assets.project_loader import load_project_or_raise

    project = load_project_or_raise(str(demo_dir))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), 1)
    run_assets(project, spark_resource, ["bronze/shop/products_raw", PRODUCTS], "2024-01-01")
    # A new contract version on disk: a new column (safe) for products.
    contract_file = demo_dir / "tables/silver/products.json"
    spec = json.loads(contract_file.read_text())
    spec["columns"].append({"name": "brand", "type": "STRING"})
    contract_file.write_text(json.dumps(spec))
    env = without_connect_client()
    done = run_command(
        [sys.executable, "-m", "lakehouse_assets.cli", "plan", str(demo_dir), "--sql"], env=env
    )
    assert done.returncode == 0, done.stderr
    assert "silver.shop.products: 1 safe, 0 destructive" in done.stdout
    assert "+ add_column: brand STRING" in done.stdout
    assert "GRANT SELECT ON TABLE" in done.stdout and "SET MASK" in done.stdout

    defs = build_definitions(str(demo_dir), spark=spark_resource)
    job = defs.resolve_job_def(JOB_NAME)
    path = str(table_path(project, PRODUCTS))
    dry = job.execute_in_process(
        run_config={"ops": {"apply_safe_migrations": {"config": {"dry_run": True}}}},
        resources={"spark": spark_resource},
    )
    assert dry.success and "brand" not in [f.name for f in DeltaTable(path).schema().fields]
    real = job.execute_in_process(resources={"spark": spark_resource})
    assert real.success and "brand" in [f.name for f in DeltaTable(path).schema().fields]
    assert {r["brand"] for r in delta_rows(path)} == {None}  # old rows: no value


def test_plan_cli_exits_2_on_destructive(products, capsys):
    from lakehouse_assets.cli import main

    contract_file = products.root / "tables/silver/products.json"
    spec = json.loads(contract_file.read_text())
    spec["columns"] = [c for c in spec["columns"] if c["name"] != "product_name"]
    contract_file.write_text(json.dumps(spec))
    assert main(["plan", str(products.root)]) == 2
    out = capsys.readouterr().out
    assert "silver.shop.products: 0 safe, 1 destructive" in out
    assert "! destructive: product_name: in the table, not in the contract" in out
