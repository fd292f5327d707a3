"""Silver full_merge and cdc_merge against expectations in plain Python; gold against Python."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from tests.helpers import delta_rows, run_assets, table_path

DAYS = ["2024-01-01", "2024-01-02", "2024-01-03"]


def _load_days(project, spark_resource, keys):
    for day in DAYS:
        run_assets(project, spark_resource, keys, day)


def test_full_merge_keeps_latest_snapshot_values(demo_project, demo_landing, spark_resource):
    _load_days(demo_project, spark_resource, ["bronze/shop/products_raw", "silver/shop/products"])
    latest: dict[int, dict] = {}
    for day in DAYS:
        with (demo_landing / "products" / f"dt={day}" / "products.csv").open() as f:
            for row in csv.DictReader(f):
                latest[int(row["product_id"])] = row
    silver = {
        r["product_id"]: r for r in delta_rows(table_path(demo_project, "silver/shop/products"))
    }
    assert set(silver) == set(latest)
    for pid, row in latest.items():
        assert silver[pid]["price"] == Decimal(row["price"])
        assert silver[pid]["updated_at"] == datetime.fromisoformat(row["updated_at"]).replace(
            tzinfo=timezone.utc
        )
        assert silver[pid]["_silver_created_at"] <= silver[pid]["_silver_modified_at"]


def test_full_merge_is_sequence_guarded_and_keeps_created_at(
    demo_project, demo_landing, spark_resource
):
    keys = ["bronze/shop/products_raw", "silver/shop/products"]
    run_assets(demo_project, spark_resource, keys, "2024-01-02")
    path = table_path(demo_project, "silver/shop/products")
    after_day2 = {r["product_id"]: r for r in delta_rows(path)}
    run_assets(demo_project, spark_resource, keys, "2024-01-01")  # an older snapshot, late
    after_late = {r["product_id"]: r for r in delta_rows(path)}
    for pid, row in after_day2.items():
        assert after_late[pid]["price"] == row["price"], pid
        assert after_late[pid]["_silver_created_at"] == row["_silver_created_at"]
        assert after_late[pid]["_silver_modified_at"] == row["_silver_modified_at"]


def _cdc_oracle(landing: Path, source: str, key: str) -> dict[int, dict]:
    state: dict[int, dict] = {}
    for day in DAYS:
        for line in (landing / source / f"dt={day}" / "part-0000.json").read_text().splitlines():
            try:
                event = json.loads(line)
                int(event["quantity"]) if "quantity" in event else None
            except (ValueError, KeyError):
                continue
            old = state.get(event[key])
            if old is None or event["updated_at"] >= old["updated_at"]:
                state[event[key]] = event
    return state


def test_cdc_merge_soft_deletes(demo_project, demo_landing, spark_resource):
    _load_days(demo_project, spark_resource, ["bronze/shop/orders_raw", "silver/shop/orders"])
    oracle = _cdc_oracle(demo_landing, "orders", "order_id")
    silver = {r["order_id"]: r for r in delta_rows(table_path(demo_project, "silver/shop/orders"))}
    assert set(silver) == set(oracle)
    deleted = {k for k, e in oracle.items() if e["op_type"] == "D"}
    assert deleted and {k for k, r in silver.items() if r["is_deleted"]} == deleted
    for k, event in oracle.items():
        assert silver[k]["status"] == event["status"]
        assert silver[k]["amount"] == Decimal(event["amount"])


def test_gold_matches_python(demo_project, demo_landing, spark_resource):
    keys = [
        "bronze/shop/orders_raw",
        "bronze/shop/products_raw",
        "silver/shop/orders",
        "silver/shop/products",
    ]
    _load_days(demo_project, spark_resource, keys)
    run_assets(demo_project, spark_resource, ["gold/shop/daily_revenue"])
    orders = delta_rows(table_path(demo_project, "silver/shop/orders"))
    products = {
        p["product_id"]: p for p in delta_rows(table_path(demo_project, "silver/shop/products"))
    }
    expected: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal("0")])
    for o in orders:
        if o["is_deleted"] or o["status"] == "cancelled":
            continue
        acc = expected[(o["order_ts"].date(), products[o["product_id"]]["category"])]
        acc[0] += 1
        acc[1] += o["quantity"]
        acc[2] += o["amount"]
    gold = delta_rows(table_path(demo_project, "gold/shop/daily_revenue"))
    got = {(g["order_date"], g["category"]): [g["orders"], g["units"], g["revenue"]] for g in gold}
    assert got == {k: v for k, v in expected.items()}
    assert len(got) >= 6


def test_unsupported_property_is_skipped_with_a_warning(demo_project, demo_landing, spark_resource):
    """customers asks for Change Data Feed, which Sail cannot write: the table is created
    without it and the run's metadata says so."""
    from deltalake import DeltaTable

    result = run_assets(
        demo_project,
        spark_resource,
        ["bronze/shop/customers_raw", "silver/shop/customers"],
        "2024-01-01",
    )
    meta = result.asset_materializations_for_node("silver__shop__customers")[0].metadata
    assert "change_data_feed: skipped" in meta["skipped_properties"].value
    assert "sail engine cannot" in meta["skipped_properties"].value
    table = DeltaTable(str(table_path(demo_project, "silver/shop/customers")))
    config = table.metadata().configuration
    assert "delta.enableChangeDataFeed" not in config
    assert config["quality"] == "curated" and config["layer"] == "silver"
    assert meta["delta_version"].value == table.version()
    assert meta["rows_in"].value == 40
    assert len(delta_rows(table_path(demo_project, "silver/shop/customers"))) == 40
    columns = {f.name: f for f in table.schema().fields}
    assert columns["customer_id"].nullable is False
    assert "_silver_created_at" in columns


def test_quarantine_partition_is_replaced_and_left_alone_when_clean(
    tmp_path, monkeypatch, spark, spark_resource
):
    """A re-run without the bad rows clears the partition's quarantine; a clean run of a
    partition with nothing quarantined commits nothing to the quarantine table."""
    from deltalake import DeltaTable

    from tests.strategy_lab import Event, load_partition, make_project

    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(tmp_path / "data"))
    project = make_project(tmp_path / "contracts", "full_merge")
    caps = spark_resource.capabilities
    good = [Event(1, 1, "a", "I", 0), Event(2, 1, "b", "I", 1)]
    bad = [Event(None, 1, "no key", "I", 0), Event(None, 2, "no key", "I", 1)]
    quarantine = str(table_path(project, "silver/lab/ev")) + "_quarantine"
    facts = [load_partition(spark, caps, project, good + bad, p) for p in (0, 1)]
    assert [f["rows_quarantined"] for f in facts] == [1, 1]
    assert load_partition(spark, caps, project, good, 0)["rows_quarantined"] == 0
    days = sorted(str(r["_ingested_date"]) for r in delta_rows(quarantine))
    assert days == ["2024-01-02"]  # day 1 cleared, day 2 left alone
    version = DeltaTable(quarantine).version()
    assert load_partition(spark, caps, project, good, 0)["rows_quarantined"] == 0
    assert DeltaTable(quarantine).version() == version
