"""The code location: asset keys, inferred gold deps, metadata, and nothing started at import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dagster import AssetKey, AssetsDefinition, TableSchema

from lakehouse_assets.code_location import build_definitions
from tests.helpers import run_command


def test_keys_partitions_and_inferred_gold_deps(demo_dir: Path):
    defs = build_definitions(str(demo_dir))
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {
        "bronze/shop/customers_raw",
        "bronze/shop/orders_raw",
        "bronze/shop/products_raw",
        "bronze/shop/events_raw",
        "silver/shop/customers",
        "silver/shop/orders",
        "silver/shop/products",
        "silver/shop/events",
        "silver/shop/customers_history",
        "gold/shop/daily_revenue",
        "gold/shop/customer_engagement",
    }
    revenue = graph.get(AssetKey(["gold", "shop", "daily_revenue"]))
    assert {p.to_user_string() for p in revenue.parent_keys} == {
        "silver/shop/orders",
        "silver/shop/products",
    }
    engagement = graph.get(AssetKey(["gold", "shop", "customer_engagement"]))
    assert {p.to_user_string() for p in engagement.parent_keys} == {
        "silver/shop/orders",
        "silver/shop/events",
        "silver/shop/customers",
    }
    orders = graph.get(AssetKey(["silver", "shop", "orders"]))
    assert {p.to_user_string() for p in orders.parent_keys} == {"bronze/shop/orders_raw"}
    assert orders.partitions_def is not None and revenue.partitions_def is None


def test_contract_metadata_reaches_the_asset(demo_dir: Path):
    defs = build_definitions(str(demo_dir))
    spec = next(
        a
        for a in defs.assets
        if isinstance(a, AssetsDefinition) and a.key == AssetKey(["silver", "shop", "customers"])
    )
    meta = spec.specs_by_key[spec.key].metadata
    schema: TableSchema = meta["dagster/column_schema"]
    cols = {c.name: c for c in schema.columns}
    assert cols["customer_id"].type == "BIGINT"
    assert cols["customer_id"].constraints.nullable is False
    assert "_silver_modified_at" in cols
    s = spec.specs_by_key[spec.key]
    assert s.owners == ["team:data-platform"]
    assert s.tags["strategy"] == "cdc_merge" and s.tags["pii"] == "true"
    assert s.group_name == "silver" and s.kinds == {"deltalake", "silver", "spark"}
    assert "is_deleted = true" in s.description
    lineage = meta["dagster/column_lineage"].deps_by_column
    assert lineage["email"][0].asset_key == AssetKey(["bronze", "shop", "customers_raw"])
    assert lineage["email"][0].column_name == "email"
    assert "is_deleted" not in lineage  # maintained by cdc_merge, not copied


def test_disabled_contract_makes_no_asset(demo_dir: Path):
    path = demo_dir / "ingestion/streaming/events.json"
    contract = json.loads(path.read_text())
    path.write_text(json.dumps({**contract, "enabled": False}))
    silver = demo_dir / "ingestion/silver/events.json"
    silver.write_text(json.dumps({**json.loads(silver.read_text()), "enabled": False}))
    gold = demo_dir / "tables/gold/customer_engagement.json"
    gold.unlink()
    keys = {
        k.to_user_string()
        for k in build_definitions(str(demo_dir)).resolve_asset_graph().get_all_asset_keys()
    }
    assert "bronze/shop/events_raw" not in keys and "silver/shop/events" not in keys
    assert "bronze/shop/orders_raw" in keys


def test_import_starts_no_engine(demo_dir: Path):
    code = (
        "import sys; import lakehouse_assets.definitions as d; "
        "from lakehouse_assets.engine import sail_server; "
        "print(len(d.defs.resolve_asset_graph().get_all_asset_keys()), "
        "sail_server.is_running(), 'pyspark' in sys.modules)"
    )
    done = run_command(
        [sys.executable, "-c", code], env={**_env(), "LAKEHOUSE_PROJECT_DIR": str(demo_dir)}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["11", "False", "False"]


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_runs_execute_their_steps_in_one_process_unless_told(demo_dir: Path, monkeypatch):
    """One process and one engine session per run by default (a step subprocess costs ~2 s of
    imports and engine start); LAKEHOUSE_EXECUTOR=multiprocess runs steps in parallel."""
    import pytest
    from dagster import in_process_executor, multiprocess_executor

    monkeypatch.delenv("LAKEHOUSE_EXECUTOR", raising=False)
    job = build_definitions(str(demo_dir)).resolve_implicit_global_asset_job_def()
    assert job.executor_def is in_process_executor
    monkeypatch.setenv("LAKEHOUSE_EXECUTOR", "multiprocess")
    job = build_definitions(str(demo_dir)).resolve_implicit_global_asset_job_def()
    assert job.executor_def is multiprocess_executor
    monkeypatch.setenv("LAKEHOUSE_EXECUTOR", "threads")
    with pytest.raises(ValueError, match="LAKEHOUSE_EXECUTOR='threads' is not one of"):
        build_definitions(str(demo_dir))
