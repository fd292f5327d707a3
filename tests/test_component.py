"""LakehouseComponent (lakehouse_assets/component.py) loaded from defs.yaml files as dg loads
them: translation and post_processing on the specs, its settings, two contract folders in one
code location materialized through their own resources, the README's block, the scaffolder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from dagster import (
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    DailyPartitionsDefinition,
    Definitions,
    EnvVar,
    ScaffoldRequest,
    load_from_defs_folder,
    materialize,
)

from lakehouse_assets.component import LakehouseComponent, LakehouseScaffolder, ScaffoldParams
from lakehouse_assets.engine.resource import SparkResource
from tests.conftest import REPO, write_contract_folder
from tests.helpers import QUIET, delta_rows, dg_project, environment, orders_pipeline

COMPONENT = "type: lakehouse_assets.LakehouseComponent\n"


def _load(root: Path, monkeypatch: pytest.MonkeyPatch) -> Definitions:
    monkeypatch.syspath_prepend(str(root))  # the project's package, as if installed
    defs = load_from_defs_folder(path_within_project=root)
    Definitions.validate_loadable(defs)  # sensors, schedules and jobs target existing keys
    return defs


def _assets(defs: Definitions) -> dict[str, AssetsDefinition]:
    return {a.key.to_user_string(): a for a in defs.assets or [] if isinstance(a, AssetsDefinition)}


def _package(tmp_path: Path) -> str:
    """A module name of this test's own (the project package is imported)."""
    return "lh_" + re.sub(r"\W", "_", tmp_path.name)


def test_translation_post_processing_and_settings(demo_dir: Path, tmp_path: Path, monkeypatch):
    yaml = COMPONENT + (
        "attributes:\n"
        "  contracts: ../../../contracts\n"  # relative to this defs.yaml
        "  resource_prefix: shop\n"
        "  partition_start: 2024-03-01\n"
        "  backfill_policy: {type: multi_run, max_partitions_per_run: 5}\n"
        "  translation:\n"
        "    key_prefix: retail\n"
        '    group_name: "{{ schema }}_{{ layer }}"\n'
        "    tags:\n"
        '      source_table: "{{ contract.name }}"\n'
        "    metadata:\n"
        '      contract_key: "{{ spec.key.to_user_string() }}"\n'
        "post_processing:\n"
        "  assets:\n"
        '    - target: "*"\n'
        "      attributes: {tags: {domain: shop}}\n"
        '    - target: "group:shop_gold"\n'
        "      attributes: {tags: {tier: gold}}\n"
    )
    root = dg_project(tmp_path, _package(tmp_path), {"shop": yaml})
    defs = _load(root, monkeypatch)
    assets = _assets(defs)
    assert all(key.startswith("retail/") for key in assets), sorted(assets)

    orders = assets["retail/silver/shop/orders"]
    spec = orders.specs_by_key[orders.key]
    assert spec.group_name == "shop_silver"
    # translation and post_processing merge tags: the translator's stay
    assert spec.tags["source_table"] == "orders" and spec.tags["domain"] == "shop"
    assert spec.tags["layer"] == "silver" and "tier" not in spec.tags
    assert spec.metadata["contract_key"] == "silver/shop/orders"  # `spec`: before translation
    assert spec.metadata["lakehouse/table"] == "silver/shop/orders"
    # dependencies and checks carry the translated keys
    assert [d.asset_key for d in spec.deps] == [
        AssetKey(["retail", "bronze", "shop", "orders_raw"])
    ]
    revenue = assets["retail/gold/shop/daily_revenue"]
    assert {d.asset_key.to_user_string() for d in revenue.specs_by_key[revenue.key].deps} == {
        "retail/silver/shop/orders",
        "retail/silver/shop/products",
    }
    assert revenue.specs_by_key[revenue.key].tags["tier"] == "gold"
    assert orders.check_specs and {c.asset_key for c in orders.check_specs} == {orders.key}

    # settings: partitions from partition_start, the backfill policy of partitioned tables
    assert orders.partitions_def == DailyPartitionsDefinition(start_date="2024-03-01", end_offset=1)
    assert orders.backfill_policy == BackfillPolicy.multi_run(max_partitions_per_run=5)
    assert revenue.partitions_def is None and revenue.backfill_policy is None
    assert set(defs.resources or {}) == {"shop__spark", "shop__delta_io_manager"}
    assert any(s.name.startswith("shop__landing__") for s in defs.sensors or [])


@pytest.mark.slow
def test_two_domains_in_one_code_location(
    demo_project, demo_landing, data_root, tmp_path, monkeypatch
):
    """The demo (data under $LAKEHOUSE_DATA_ROOT: data_dir left unset) and a second folder with
    the same schema and table names, kept apart by a key prefix, its own data_dir and resource
    prefix; one run materializes a table of each through its own resources."""
    cols = [
        {"name": "order_id", "type": "BIGINT", "nullable": False},
        {"name": "amount", "type": "DOUBLE"},
        {"name": "updated_at", "type": "TIMESTAMP"},
    ]
    config = {"EXECUTION_ENVIRONMENT": "local", "environments": {"local": environment()}}
    b2b = write_contract_folder(
        tmp_path / "b2b", {"config.json": json.dumps(config), **orders_pipeline(cols)}
    )
    landing = tmp_path / "b2b_data" / "landing" / "orders" / "dt=2024-01-01"
    landing.mkdir(parents=True)
    (landing / "part-0.json").write_text(
        "".join(
            json.dumps({"order_id": i, "amount": i * 1.5, "updated_at": "2024-01-01T10:00:00"})
            + "\n"
            for i in (1, 2, 3)
        )
    )
    root = dg_project(
        tmp_path / "project",
        _package(tmp_path),
        {
            "shop": COMPONENT + f"attributes:\n  contracts: {demo_project.root}\n"
            "  resource_prefix: shop\n",
            "b2b": COMPONENT + f"attributes:\n  contracts: {b2b}\n"
            f"  data_dir: {tmp_path / 'b2b_data'}\n"
            "  resource_prefix: b2b\n"
            "  translation: {key_prefix: b2b}\n",
        },
    )
    defs = _load(root, monkeypatch)
    assert set(defs.resources or {}) == {
        "shop__spark",
        "shop__delta_io_manager",
        "b2b__spark",
        "b2b__delta_io_manager",
    }
    jobs = {j.name for j in defs.jobs or []}
    assert {"shop__apply_migrations", "b2b__apply_migrations"} <= jobs, jobs
    assets = _assets(defs)
    assert "bronze/shop/orders_raw" in assets and "b2b/bronze/shop/orders_raw" in assets
    assert set(assets["b2b/silver/shop/orders"].required_resource_keys) >= {"b2b__spark"}
    assert set(assets["silver/shop/orders"].required_resource_keys) >= {"shop__spark"}

    selection = [
        "bronze/shop/customers_raw",
        "b2b/bronze/shop/orders_raw",
        "b2b/silver/shop/orders",
    ]
    result = materialize(
        list(defs.assets or []),
        selection=[AssetKey.from_user_string(k) for k in selection],
        partition_key="2024-01-01",
        resources=dict(defs.resources or {}),
        run_config=QUIET,
    )
    assert result.success
    customers = delta_rows(data_root / "bronze" / "shop" / "customers_raw")
    assert len(customers) == 40  # the demo's first day (tests/test_dagster_cli.py)
    silver = delta_rows(tmp_path / "b2b_data" / "silver" / "shop" / "orders", ["order_id"])
    assert sorted(r["order_id"] for r in silver) == [1, 2, 3]
    assert not (data_root / "silver" / "shop" / "orders").exists()  # not the demo's table


def _readme_yaml() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using the Component")[1].split("\n## ")[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)[0]


def test_the_readme_defs_yaml_loads(demo_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DATABRICKS_TOKEN", "not-a-real-token")
    monkeypatch.delenv("DATABRICKS_HOST", raising=False)
    root = tmp_path / "project"
    (root / "contracts").mkdir(parents=True)
    demo_dir.rename(root / "contracts" / "sales")
    dg_project(root, _package(tmp_path), {"sales": _readme_yaml()})
    defs = _load(root, monkeypatch)
    assets = _assets(defs)
    orders = assets["sales/silver/shop/orders"].specs_by_key[
        AssetKey.from_user_string("sales/silver/shop/orders")
    ]
    assert orders.group_name == "sales_silver"
    assert orders.tags["domain"] == "sales" and orders.tags["source_table"] == "orders"
    spark = (defs.resources or {})["sales__spark"]
    assert isinstance(spark, SparkResource) and spark.mode == "databricks"
    # the secret stays a reference to the environment; an unset host stays unset
    assert isinstance(spark.databricks_token, EnvVar)
    assert spark.databricks_token.env_var_name == "DATABRICKS_TOKEN"
    assert spark.databricks_host is None and spark.databricks_serverless


def test_a_written_secret_is_refused():
    with pytest.raises(Exception, match=r"databricks_token: a secret cannot be written"):
        LakehouseComponent.resolve_from_yaml("engine:\n  databricks_token: dapi-123\n")


def test_unset_settings_are_the_environment(demo_dir: Path, monkeypatch):
    """The repo's own defs.yaml sets nothing: LAKEHOUSE_* decide, as for build_definitions()."""
    monkeypatch.setenv("LAKEHOUSE_PROJECT_DIR", str(demo_dir))
    monkeypatch.setenv("LAKEHOUSE_SPARK_MODE", "connect")
    monkeypatch.setenv("LAKEHOUSE_CONNECT_URL", "sc://127.0.0.1:1")
    text = (REPO / "lakehouse_assets" / "defs" / "lakehouse" / "defs.yaml").read_text()
    assert yaml.safe_load(text) == {
        "type": "lakehouse_assets.LakehouseComponent",
        "attributes": {},
    }
    defs = _load(
        dg_project(demo_dir.parent / "project", _package(demo_dir.parent), {"x": text}), monkeypatch
    )
    spark = (defs.resources or {})["spark"]
    assert isinstance(spark, SparkResource) and spark.connect_url == "sc://127.0.0.1:1"
    assert "gold/shop/daily_revenue" in _assets(defs)


def test_the_scaffolder_writes_a_defs_yaml_that_loads(demo_dir: Path, tmp_path: Path, monkeypatch):
    root = tmp_path / "project"
    (root / "contracts").mkdir(parents=True)
    demo_dir.rename(root / "contracts" / "sales")
    dg_project(root, _package(tmp_path), {})
    target = root / _package(tmp_path) / "defs" / "sales-eu"
    LakehouseScaffolder().scaffold(
        ScaffoldRequest(
            type_name="lakehouse_assets.LakehouseComponent",
            target_path=target,
            scaffold_format="yaml",
            project_root=root,
            params=ScaffoldParams(contracts="contracts/sales"),
        )
    )
    assert sorted(p.name for p in target.iterdir()) == ["defs.yaml"]  # nothing else copied
    defs = _load(root, monkeypatch)
    assert set(defs.resources or {}) == {"sales_eu__spark", "sales_eu__delta_io_manager"}
    assert "bronze/shop/orders_raw" in _assets(defs)
    orders = _assets(defs)["bronze/shop/orders_raw"]
    assert orders.partitions_def == DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
