"""The translator is the one source of every asset's key and spec: a subclass that renames
every key is followed by deps, lineage, sensors, schedules, the Delta IO manager and real runs;
the metadata conventions Dagster's UI reads are on the definitions and on each
materialization, read back from the instance."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import AssetIn, AssetKey, AssetsDefinition, DagsterInstance, asset, materialize

from lakehouse_assets.assets.translator import ContractTranslator
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.contracts.project import TableAsset
from tests.helpers import QUIET, delta_rows, table_path

DAY = "2024-01-01"


class AcmeTranslator(ContractTranslator):
    """What a platform team does: every lakehouse asset under one top-level key."""

    def get_asset_key(self, asset: TableAsset) -> AssetKey:
        return AssetKey(["acme", *asset.key])

    def get_group_name(self, asset: TableAsset) -> str:
        return f"acme_{asset.layer}"


def _acme(key: str) -> AssetKey:
    return AssetKey(["acme", *key.split("/")])


def _assets(defs) -> list[AssetsDefinition]:
    return [a for a in defs.assets if isinstance(a, AssetsDefinition)]


def test_overridden_keys_reach_every_consumer(demo_dir: Path, spark_resource):
    orders = demo_dir / "ingestion" / "batch" / "orders.json"
    contract = json.loads(orders.read_text())
    orders.write_text(json.dumps({**contract, "schedule": "15 2 * * *"}))
    defs = build_definitions(str(demo_dir), spark=spark_resource, translator=AcmeTranslator())
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys and all(k.startswith("acme/") for k in keys), keys
    silver = graph.get(_acme("silver/shop/orders"))
    assert silver.parent_keys == {_acme("bronze/shop/orders_raw")}
    assert silver.group_name == "acme_silver"
    lineage = silver.metadata["dagster/column_lineage"]
    assert {d.asset_key for deps in lineage.deps_by_column.values() for d in deps} == {
        _acme("bronze/shop/orders_raw")
    }
    revenue = graph.get(_acme("gold/shop/daily_revenue"))
    assert revenue.parent_keys == {_acme("silver/shop/orders"), _acme("silver/shop/products")}
    repo = defs.get_repository_def()
    sensor = repo.get_sensor_def("landing__bronze__shop__orders_raw")  # key after "acme"
    assert sensor.asset_selection is not None
    assert sensor.asset_selection.resolve(graph) == {_acme("bronze/shop/orders_raw")}
    job = repo.get_job("acme__bronze__shop__orders_raw__job")
    assert job.asset_layer.selected_asset_keys == {_acme("bronze/shop/orders_raw")}
    assert repo.has_schedule_def("acme__bronze__shop__orders_raw__schedule")


def test_materialize_through_overridden_keys(
    demo_dir: Path, demo_project, demo_landing, spark_resource
):
    defs = build_definitions(str(demo_dir), spark=spark_resource, translator=AcmeTranslator())
    assets = _assets(defs)
    resources = dict(defs.resources or {})

    @asset(ins={"orders": AssetIn(key=_acme("silver/shop/orders"))})
    def order_count(orders) -> int:
        """A user's own asset reading a translated lakehouse table through the IO manager."""
        return orders.count()

    with DagsterInstance.ephemeral() as instance:
        partitioned = [a.key for a in assets if a.partitions_def is not None]
        materialize(
            assets, selection=partitioned, partition_key=DAY, resources=resources,
            instance=instance, run_config=QUIET,
        )  # fmt: skip
        gold = [a.key for a in assets if a.partitions_def is None]
        materialize(
            assets, selection=gold, resources=resources, instance=instance, run_config=QUIET
        )
        result = materialize(
            [*assets, order_count],
            selection=[order_count.key],
            resources=resources,
            instance=instance,
            run_config=QUIET,
        )
        bronze_event = instance.get_latest_materialization_event(_acme("bronze/shop/orders_raw"))
    silver_rows = delta_rows(table_path(demo_project, "silver/shop/orders"))
    assert silver_rows and len({r["order_id"] for r in silver_rows}) == len(silver_rows)
    assert result.output_for_node("order_count") == len(silver_rows)
    assert delta_rows(table_path(demo_project, "gold/shop/daily_revenue"))
    assert bronze_event is not None and bronze_event.asset_materialization is not None
    assert bronze_event.asset_materialization.partition == DAY


def test_metadata_conventions_on_definitions_and_materializations(
    demo_dir: Path, demo_project, demo_landing, spark_resource
):
    defs = build_definitions(str(demo_dir), spark=spark_resource)
    graph = defs.resolve_asset_graph()
    bronze_key = AssetKey(["bronze", "shop", "orders_raw"])
    node = graph.get(bronze_key)
    path = str(table_path(demo_project, "bronze/shop/orders_raw"))
    assert node.kinds == {"deltalake", "bronze", "spark"}
    assert node.metadata["dagster/uri"].path == path
    contract = demo_project.assets[("bronze", "shop", "orders_raw")].contract
    assert contract.catalog  # the environment's catalog, as on Databricks
    assert node.metadata["dagster/table_name"] == f"{contract.catalog}.shop.orders_raw"
    refs = node.metadata["dagster/code_references"].code_references
    assert {r.label for r in refs} == {"contract", "ingestion"}
    assert all(Path(r.file_path).is_file() for r in refs)
    assert node.pools == {"lakehouse/bronze/shop/orders_raw"}
    customers = graph.get(AssetKey(["silver", "shop", "customers"]))
    # contracts/ingestion/silver/customers.json: freshness of updated_at, 200000 hours
    assert customers.freshness_policy is not None
    assert customers.freshness_policy.fail_window.to_timedelta().total_seconds() == 200000 * 3600
    assert graph.get(AssetKey(["gold", "shop", "daily_revenue"])).kinds == {
        "deltalake", "gold", "sql",
    }  # fmt: skip

    with DagsterInstance.ephemeral() as instance:
        materialize(
            _assets(defs), selection=[bronze_key, AssetKey(["silver", "shop", "orders"])],
            partition_key=DAY, resources=dict(defs.resources or {}), instance=instance,
            run_config=QUIET,
        )  # fmt: skip
        bronze = instance.get_latest_materialization_event(bronze_key)
        silver = instance.get_latest_materialization_event(AssetKey(["silver", "shop", "orders"]))
    assert bronze and bronze.asset_materialization and silver and silver.asset_materialization
    bronze_meta = bronze.asset_materialization.metadata
    rows = delta_rows(path)
    assert bronze_meta["dagster/row_count"].value == len(rows)
    assert bronze_meta["dagster/partition_row_count"].value == sum(
        1 for r in rows if str(r["_ingested_date"]) == DAY
    )
    silver_rows = delta_rows(table_path(demo_project, "silver/shop/orders"))
    assert silver.asset_materialization.metadata["dagster/row_count"].value == len(silver_rows)


def test_code_version_follows_the_contract(demo_dir: Path, spark_resource):
    key = AssetKey(["silver", "shop", "orders"])

    def version() -> str | None:
        graph = build_definitions(str(demo_dir), spark=spark_resource).resolve_asset_graph()
        return graph.get(key).code_version

    before = version()
    promotion = demo_dir / "ingestion" / "silver" / "orders.json"
    contract = json.loads(promotion.read_text())
    other = version()
    promotion.write_text(json.dumps({**contract, "description": "orders, one row per order"}))
    after = version()
    assert before and before == other != after
