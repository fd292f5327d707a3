"""Databricks mode does its workspace-side work through the session, on a fake workspace
(tests/fake_databricks.py: Sail executes the SQL; what Unity Catalog rejects is rejected):
bronze's landing files come from `LIST`, the manifest is a Unity Catalog table, managed tables
are created by name in a schema created first, liquid-clustered when the contract asks; bronze ->
silver -> gold written to managed tables by name, silver by the engine's MERGE."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from dagster import AssetKey

from lakehouse_assets.assets.bronze import landing_access_for
from lakehouse_assets.contracts.models import TableContract
from lakehouse_assets.engine.capabilities import DATABRICKS
from lakehouse_assets.ingest.assignment import files_for_partition
from lakehouse_assets.ingest.landing import list_landing_files
from lakehouse_assets.ingest.session_listing import list_files_in_session
from lakehouse_assets.ingest.uc_manifest import UnityCatalogManifest
from lakehouse_assets.io.table_creation import ensure_table
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.sensors.landing import landing_tick
from lakehouse_assets.tables.location import locate
from tests.fake_databricks import FakeDatabricksSession

ORDERS = "bronze/shop/orders_raw"
MANIFEST = "`ct_bronze_dev`.`lakehouse_ops`.`file_manifest`"


@pytest.fixture
def workspace(tmp_path: Path, spark) -> FakeDatabricksSession:
    return FakeDatabricksSession(spark, tmp_path / "volumes", tmp_path / "warehouse")


@pytest.fixture
def dev_project(demo_dir: Path, workspace: FakeDatabricksSession):
    """The demo contracts' `dev` environment (paths under /Volumes/...), with two days of
    landing files in the fake workspace's volume."""
    from lakehouse_assets.demo.generator import generate

    project = load_project_or_raise(str(demo_dir), env="dev")
    landing = project.environment.paths["landing"]
    assert landing.startswith("/Volumes/")
    generate(workspace.volumes / landing.removeprefix("/Volumes/"), date(2024, 1, 1), 2, scale=1)
    return project


def _on_disk(workspace: FakeDatabricksSession, volume_path: str) -> list[tuple[str, int]]:
    """What the volume holds, listed on the disk behind it, as /Volumes paths and sizes."""
    local = workspace.volumes / volume_path.removeprefix("/Volumes/")
    return [
        ("/Volumes/" + str(Path(f.path).relative_to(workspace.volumes)), f.size)
        for f in list_landing_files(str(local))
    ]


def test_bronze_lists_and_records_files_in_the_workspace(dev_project, workspace):
    table = dev_project.assets[tuple(ORDERS.split("/"))]
    ingestion = table.ingestion
    access = landing_access_for(dev_project, DATABRICKS, lambda: workspace)
    assert isinstance(access.manifest, UnityCatalogManifest)

    listed = access.list_files(ingestion.source.path)
    assert [(f.path, f.size) for f in listed] == _on_disk(workspace, ingestion.source.path)
    day_one = [f.path for f in listed if f.partition() == "2024-01-01"]
    assert day_one and len(day_one) < len(listed)

    entries = files_for_partition(
        access.manifest, ORDERS, ingestion, "2024-01-01", "run-1", access.list_files
    )
    assert [e.file_path for e in entries] == sorted(day_one)
    rows = workspace.sql(f"SELECT file_path, `partition`, assigned_by FROM {MANIFEST}").collect()
    assert sorted(r["file_path"] for r in rows) == sorted(day_one)
    assert {(r["partition"], r["assigned_by"]) for r in rows} == {("2024-01-01", "run-1")}
    # the schema was created before the table; the table is clustered by source
    created = workspace.statements.index(
        "CREATE SCHEMA IF NOT EXISTS `ct_bronze_dev`.`lakehouse_ops`"
    )
    assert any("CREATE TABLE" in s for s in workspace.statements[created:])
    assert workspace.clustered["ct_bronze_dev.lakehouse_ops.file_manifest"] == ["source"]

    # a re-run reads the same files, recorded once
    again = files_for_partition(
        access.manifest, ORDERS, ingestion, "2024-01-01", "run-2", access.list_files
    )
    assert again == entries
    # the landing sensor records the second day's files and asks for that partition's run
    tick = landing_tick(access.manifest, ORDERS, ingestion, AssetKey(ORDERS.split("/")), None,
                        access.list_files)  # fmt: skip
    assert [r.partition_key for r in tick.requests] == ["2024-01-02"]
    assert tick.new_files == len(listed) - len(day_one)
    count = workspace.sql(f"SELECT count(*) AS n FROM {MANIFEST}").collect()[0]["n"]
    assert count == len(listed)


def test_a_bronze_batch_reads_the_workspace_files_where_they_lie(dev_project, workspace):
    """The Dagster host cannot open /Volumes/...: the engine reads each file itself, and the
    rows carry the workspace path they came from."""
    from lakehouse_assets.assets.bronze import bronze_batch
    from lakehouse_assets.ingest.landing_read import FILE

    # Sail (behind the fake) has no _metadata column: files are read one by one, as on Sail.
    caps = replace(DATABRICKS, file_metadata_column=False)
    table = dev_project.assets[tuple(ORDERS.split("/"))]
    batch = bronze_batch(workspace, caps, dev_project, table, ["2024-01-01"], "run-1")
    day = workspace.volumes / "ct_landing_dev/shop/landing/orders/dt=2024-01-01"
    lines = [
        line for f in sorted(day.iterdir()) for line in f.read_text().splitlines() if line.strip()
    ]
    rows = batch.data.collect()
    assert len(rows) + (batch.rejected_rows or 0) == len(lines) and rows
    assert {r[FILE] for r in rows} == {
        f"/Volumes/ct_landing_dev/shop/landing/orders/dt=2024-01-01/{f.name}" for f in day.iterdir()
    }
    assert batch.facts["files_read"] == len(list(day.iterdir()))
    manifest = workspace.sql(f"SELECT DISTINCT `partition` FROM {MANIFEST}").collect()
    assert [r["partition"] for r in manifest] == ["2024-01-01"]


def test_options_that_need_the_file_on_this_host_name_the_fix():
    from lakehouse_assets.contracts.source_options import read_options
    from lakehouse_assets.ingest.remote_files import read_where_it_lies

    path = "/Volumes/main/shop/landing/orders/a.json"
    assert read_where_it_lies(path, "json", read_options("json", {})).read_path == path
    with pytest.raises(ValueError, match=r"multiLine JSON is read through a copy staged on"):
        read_where_it_lies(path, "json", read_options("json", {"multiLine": "true"}))
    with pytest.raises(ValueError, match=r"a \.gz file .*`lakehouse bundle`"):
        read_where_it_lies(path + ".gz", "json", read_options("json", {}))


def test_the_fake_workspace_rejects_what_databricks_rejects(workspace, tmp_path):
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException, match=r"\[PATH_NOT_FOUND\] Path does not exist"):
        workspace.sql("LIST '/Volumes/main/shop/landing/nothing/'")
    with pytest.raises(AnalysisException, match="UC_FILE_SCHEME_FOR_TABLE_CREATION"):
        workspace.sql(f"LIST '{tmp_path}'")  # the local disk is not the workspace's
    with pytest.raises(AnalysisException, match=r"\[SCHEMA_NOT_FOUND\]"):
        workspace.sql("CREATE TABLE IF NOT EXISTS `main`.`nope`.`t` (a INT) USING delta")
    workspace.sql("CREATE SCHEMA IF NOT EXISTS `main`.`shop`")
    with pytest.raises(AnalysisException, match="UC_FILE_SCHEME_FOR_TABLE_CREATION"):
        workspace.sql(
            "CREATE TABLE IF NOT EXISTS `main`.`shop`.`t` (a INT) USING delta "
            f"LOCATION '{tmp_path}'"
        )
    with pytest.raises(AnalysisException, match="Path-based access to a local file system"):
        workspace.sql(f"SELECT * FROM delta.`{tmp_path}/ops/file_manifest`")
    with pytest.raises(AnalysisException, match=r"\[TABLE_OR_VIEW_NOT_FOUND\]"):
        workspace.sql("SELECT * FROM `main`.`shop`.`missing`")
    with pytest.raises(AnalysisException, match=r"\[TABLE_OR_VIEW_NOT_FOUND\]"):
        workspace.sql("DESCRIBE HISTORY `main`.`shop`.`missing` LIMIT 1")
    with workspace.routed_writes(), pytest.raises(AnalysisException, match="SCHEMA_NOT_FOUND"):
        workspace.sail.range(1).write.saveAsTable("`main`.`nope`.`t`")
    # what our code does with those answers: a landing folder not there yet holds no files,
    # a manifest table not there yet holds no entries
    assert list_files_in_session(workspace, "/Volumes/main/shop/landing/nothing") == []
    assert UnityCatalogManifest(lambda: workspace, "main", "ops").entries("x") == {}


def test_managed_tables_are_created_by_name_in_a_created_schema(dev_project, workspace):
    silver = dev_project.assets[("silver", "shop", "orders")]
    contract = silver.contract.model_copy(update={"cluster_by": ["order_id"], "partitions": []})
    location = locate("silver", contract, dev_project.environment, DATABRICKS)
    assert location.path is None and location.name == "ct_silver_dev.shop.orders"
    skipped = ensure_table(workspace, DATABRICKS, contract, contract.columns, [], location)
    assert skipped == []
    ddl = [s for s in workspace.statements if s.startswith("CREATE")]
    assert ddl[0] == "CREATE SCHEMA IF NOT EXISTS `ct_silver_dev`.`shop`"
    assert "LOCATION" not in ddl[1]  # managed: Unity Catalog places it
    assert " CLUSTER BY (`order_id`)" in ddl[1]
    assert workspace.clustered["ct_silver_dev.shop.orders"] == ["order_id"]
    assert location.exists(workspace)  # what ensure_table asks before creating
    created = workspace.sql(f"SELECT * FROM {location.sql_ref}")
    assert created.columns == contract.column_names and created.count() == 0
    # a second call finds the table: nothing more is run
    before = len(workspace.statements)
    assert ensure_table(workspace, DATABRICKS, contract, contract.columns, [], location) == []
    assert len(workspace.statements) == before


def test_cluster_by_names_columns_of_the_table():
    base = {"schema": "shop", "name": "t", "columns": [{"name": "a", "type": "INT"}]}
    assert TableContract.model_validate({**base, "cluster_by": ["a"]}).cluster_by == ["a"]
    with pytest.raises(ValueError, match=r"cluster_by columns \['b'\] are not in columns"):
        TableContract.model_validate({**base, "cluster_by": ["b"]})
    with pytest.raises(ValueError, match="either 'partitions' or 'cluster_by', not both"):
        TableContract.model_validate({**base, "cluster_by": ["a"], "partitions": ["a"]})


def _materialize(workspace, caps, project, key: str, day: str) -> dict:
    """One asset's materialization as its Dagster body runs it (assets/factory.py): the batch,
    then the checks and the write through the session; returns the write's facts."""
    from dagster import AssetCheckResult, Output

    from lakehouse_assets.assets.bronze import bronze_batch
    from lakehouse_assets.assets.gold import gold_frame
    from lakehouse_assets.assets.materialize import materialize
    from lakehouse_assets.assets.silver import silver_batch
    from lakehouse_assets.io.batch import TableBatch
    from lakehouse_assets.io.upstream import read_partitions
    from lakehouse_assets.tables.location import locate_key

    table = project.assets[tuple(key.split("/"))]
    if table.kind == "bronze":
        batch = bronze_batch(workspace, caps, project, table, [day], f"run-{day}")
    elif table.kind == "silver":
        source = read_partitions(workspace, locate_key(project, table.deps[0], caps), [day])
        batch = silver_batch(source, table, [day])
    else:
        batch = TableBatch(gold_frame(workspace, caps, project, table))
    facts: dict = {}
    for event in materialize(AssetKey(key.split("/")), workspace, caps, project, table, batch,
                             f"run-{day}"):  # fmt: skip
        if isinstance(event, Output):
            facts = event.value.execute()  # what the Delta IO manager does with the Output
        else:
            assert isinstance(event, AssetCheckResult) and event.passed, event
    return facts


def test_bronze_silver_gold_on_managed_tables(dev_project, workspace):
    """Bronze -> silver (cdc_merge for orders, full_merge for products) -> gold (its SQL over
    both silver tables) with Databricks'
    capabilities: managed Unity Catalog tables by name, the engine's own MERGE
    (merge_prunes_files). Off here only: the _metadata column of file sources, which Sail
    (behind the fake) lacks, so files are read one by one as on Sail."""
    from tests.object_store_lake import orders_oracle

    caps = replace(DATABRICKS, file_metadata_column=False)
    days = ["2024-01-01", "2024-01-02"]
    landing = workspace.volumes / dev_project.environment.paths["landing"].removeprefix("/Volumes/")
    with workspace.routed_writes():
        for day in days:
            for key in (ORDERS, "silver/shop/orders"):
                facts = _materialize(workspace, caps, dev_project, key, day)
        products = [
            _materialize(workspace, caps, dev_project, key, days[0])
            for key in ("bronze/shop/products_raw", "silver/shop/products")
        ][-1]
        _materialize(workspace, caps, dev_project, "gold/shop/daily_revenue", days[-1])
    assert "merge" in facts and facts["table"] == "silver.shop.orders"  # the engine's MERGE
    statements = workspace.statements
    assert "CREATE SCHEMA IF NOT EXISTS `ct_silver_dev`.`shop`" in statements
    merges = [s for s in statements if s.startswith("MERGE INTO")]
    assert any(s.startswith("MERGE INTO `ct_silver_dev`.`shop`.`orders` ") for s in merges)
    assert any(s.startswith("MERGE INTO `ct_silver_dev`.`shop`.`products` ") for s in merges)
    # day 2: the schema check read the live table (DESCRIBE DETAIL, emulated by the fake)
    assert "DESCRIBE DETAIL `ct_silver_dev`.`shop`.`orders`" in statements
    assert not any("delta.`" in s for s in statements)  # nothing by path on Unity Catalog
    assert {"ct_silver_dev.shop.orders", "ct_silver_dev.shop.products"} <= set(workspace.tables)

    oracle = orders_oracle(landing, days)
    silver = {
        r["order_id"]: r for r in workspace.table("`ct_silver_dev`.`shop`.`orders`").collect()
    }
    assert set(silver) == set(oracle) and len(oracle) > 10
    for key, event in oracle.items():
        row = silver[key]
        assert (row["status"], row["customer_id"]) == (event["status"], event["customer_id"])
        assert row["is_deleted"] == (str(event.get("op_type", "")).upper() in ("D", "DELETE"))
    [snapshot] = (landing / "products/dt=2024-01-01").glob("*.csv")  # header, then rows
    prices = {int(r["product_id"]): r["price"] for r in csv.DictReader(snapshot.open())}
    product_rows = workspace.table("`ct_silver_dev`.`shop`.`products`").collect()
    assert {r["product_id"]: str(r["price"]) for r in product_rows} == prices
    assert products["dagster/row_count"] == len(product_rows) > 0

    category = {r["product_id"]: r["category"] for r in product_rows}
    expected = Counter(
        (r["order_ts"].date(), category[r["product_id"]])
        for r in silver.values()
        if not r["is_deleted"] and r["status"] != "cancelled" and r["product_id"] in category
    )
    gold = workspace.table("`ct_gold_dev`.`shop`.`daily_revenue`").collect()
    assert {(r["order_date"], r["category"]): r["orders"] for r in gold} == dict(expected)
    assert sum(expected.values()) > 0
