"""What cannot run says why in one line, through real Dagster runs: an upstream never
materialized (with the command that builds it), a landing folder that does not exist (0 rows and
a warning, not a failure), engine settings that cannot connect, and engine or value errors of an
asset body (a `dagster.Failure`, the original text in its metadata)."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.assets.python_gold import gold_builder, unregister
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.project_loader import load_project
from tests.conftest import write_contract_folder
from tests.helpers import free_port, orders_pipeline, run_assets

DAY = "2024-01-01"
CMD = "dagster asset materialize -m lakehouse_assets.definitions --select"
PATHS = {"landing": "landing", "bronze": "bronze", "silver": "silver", "gold": "gold", "ops": "ops"}
ORDERS = [
    {"name": "order_id", "type": "BIGINT"},
    {"name": "amount", "type": "DOUBLE"},
    {"name": "updated_at", "type": "TIMESTAMP"},
]


def _config(paths: dict[str, str]) -> str:
    return json.dumps(
        {
            "EXECUTION_ENVIRONMENT": "local",
            "PARTITION_START_DATE": DAY,
            "environments": {
                "local": {
                    "env": "local",
                    "env_short": "l",
                    "catalogs": {"bronze": "bronze", "silver": "silver", "gold": "gold"},
                    "paths": paths,
                }
            },
        }
    )


def _table(layer: str, name: str, columns: list[dict], **extra: Any) -> str:
    return json.dumps(
        {
            "catalog": f"{{catalog.{layer}}}",
            "schema": "shop",
            "name": name,
            "columns": columns,
            **extra,
        }
    )


def _folder(root: Path, paths: dict[str, str] = PATHS) -> Path:
    """bronze orders_raw -> silver orders; gold: SQL order_total, Python order_count and broken."""
    return write_contract_folder(
        root,
        {
            "config.json": _config(paths),
            **orders_pipeline(ORDERS),
            "tables/gold/order_total.json": _table(
                "gold",
                "order_total",
                [{"name": "total", "type": "DOUBLE"}],
                sql="SELECT SUM(amount) AS total FROM {catalog.silver}.shop.orders",
            ),
            "tables/gold/order_count.json": _table(
                "gold", "order_count", [{"name": "n", "type": "BIGINT"}]
            ),
            "tables/gold/broken.json": _table("gold", "broken", [{"name": "n", "type": "BIGINT"}]),
        },
    )


@pytest.fixture
def builders() -> Iterator[None]:
    @gold_builder("shop.order_count", deps=["shop.orders_raw"])
    def order_count(inputs):
        return inputs.table("shop.orders_raw").groupBy().count().withColumnRenamed("count", "n")

    @gold_builder("shop.broken", deps=["shop.orders_raw"])
    def broken(inputs):  # an engine error: the column does not exist
        return inputs.table("shop.orders_raw").selectExpr("CAST(no_such_column AS BIGINT) AS n")

    yield
    unregister("shop.order_count")
    unregister("shop.broken")


@pytest.fixture
def shop(tmp_path: Path, data_root: Path, builders: None):
    return load_project(_folder(tmp_path / "contracts"))


def _land(project, rows: list[dict]) -> None:
    folder = Path(project.environment.paths["landing"]) / "orders" / f"dt={DAY}"
    folder.mkdir(parents=True)
    (folder / "part-0.json").write_text("".join(json.dumps(r) + "\n" for r in rows))


def _failure(project, spark_resource, key: str, partition: str | None = None):
    """The run's one step failure: (description, metadata as plain values)."""
    result = run_assets(project, spark_resource, [key], partition, raise_on_error=False)
    assert not result.success
    [event] = result.get_step_failure_events()
    data = event.step_failure_data.user_failure_data
    assert data is not None, event.step_failure_data.error
    return data.description, {k: getattr(v, "value", v) for k, v in data.metadata.items()}


def test_sql_gold_names_every_missing_upstream_and_the_command(shop, spark_resource):
    description, meta = _failure(shop, spark_resource, "gold/shop/order_total")
    assert description == (
        "gold/shop/order_total: upstream bronze/shop/orders_raw, silver/shop/orders never "
        f"materialized; materialize first: {CMD} bronze/shop/orders_raw,silver/shop/orders "
        "--partition <day>"
    )
    assert meta["missing_upstream"] == ["bronze/shop/orders_raw", "silver/shop/orders"]


def test_python_gold_names_the_missing_upstream(shop, spark_resource):
    description, _ = _failure(shop, spark_resource, "gold/shop/order_count")
    assert description == (
        "gold/shop/order_count: upstream bronze/shop/orders_raw never materialized; "
        f"materialize first: {CMD} bronze/shop/orders_raw --partition <day>"
    )


def test_gold_runs_once_its_upstream_is_there(shop, spark_resource):
    _land(shop, [{"order_id": 1, "amount": 2.5, "updated_at": f"{DAY}T10:00:00"}])
    run_assets(shop, spark_resource, ["bronze/shop/orders_raw", "silver/shop/orders"], DAY)
    assert run_assets(
        shop, spark_resource, ["gold/shop/order_total", "gold/shop/order_count"]
    ).success


def test_silver_names_its_missing_bronze_with_the_runs_day(shop, spark_resource):
    description, _ = _failure(shop, spark_resource, "silver/shop/orders", DAY)
    assert description == (
        "silver/shop/orders: upstream bronze/shop/orders_raw never materialized; "
        f"materialize first: {CMD} bronze/shop/orders_raw --partition {DAY}"
    )


def test_missing_landing_folder_is_zero_rows_a_warning_and_metadata(shop, spark_resource):
    from dagster import DagsterInstance

    landing = Path(shop.environment.paths["landing"]) / "orders"
    assert not landing.exists()
    with DagsterInstance.ephemeral() as instance:
        result = run_assets(shop, spark_resource, ["bronze/shop/orders_raw"], DAY, instance)
        logs = instance.all_logs(result.run_id)
    assert result.success
    [materialization] = result.asset_materializations_for_node("bronze__shop__orders_raw")
    meta = materialization.metadata
    assert meta["landing_missing"].value == str(landing)
    assert meta["rows_written"].value == 0
    warnings = [e.message for e in logs if e.level == 30]  # logging.WARNING
    assert meta["landing_fix"].value.startswith(f"landing folder {landing} does not exist: 0 rows")
    assert f"bronze/shop/orders_raw: {meta['landing_fix'].value}" in warnings


def test_engine_error_of_an_asset_body_is_one_line_with_the_original(shop, spark_resource):
    _land(shop, [{"order_id": 1, "amount": 2.5, "updated_at": f"{DAY}T10:00:00"}])
    run_assets(shop, spark_resource, ["bronze/shop/orders_raw"], DAY)
    description, meta = _failure(shop, spark_resource, "gold/shop/broken")
    original = (
        'attribute ObjectName([Identifier("no_such_column")]) is missing from the schema: '
        "cannot resolve attribute"
    )  # Sail's text; the first line of any engine's
    assert description == f"gold/shop/broken: {original}"
    assert meta["error_type"] == "AnalysisException"
    assert original in meta["error"]


def test_value_error_of_our_own_code_is_a_failure(tmp_path, data_root, builders, spark_resource):
    no_ops = load_project(_folder(tmp_path / "c", {k: v for k, v in PATHS.items() if k != "ops"}))
    description, meta = _failure(no_ops, spark_resource, "bronze/shop/orders_raw", DAY)
    assert description == (
        "bronze/shop/orders_raw: environment 'local' has no paths.ops in config.json: bronze "
        'keeps its file manifest there (add e.g. "ops": "ops")'
    )
    assert meta["error_type"] == "ValueError"


def test_unreachable_connect_url_names_the_setting(shop):
    url = f"sc://127.0.0.1:{free_port()}"
    remote = SparkResource(mode="connect", connect_url=url)
    description, meta = _failure(shop, remote, "bronze/shop/orders_raw", DAY)
    assert description == (
        f"bronze/shop/orders_raw: no Spark Connect server answers at {url} (Connection "
        "refused): set LAKEHOUSE_CONNECT_URL (SparkResource.connect_url) to a running "
        "server's sc://host:port"
    )
    assert meta["error_type"] == "EngineSetupError"


def test_databricks_without_databricks_connect_names_the_pip_command(shop, monkeypatch):
    from lakehouse_assets.code_location import spark_from_env

    if importlib.util.find_spec("databricks") and importlib.util.find_spec("databricks.connect"):
        pytest.skip("databricks-connect is installed here (tests/test_install_extras.py)")
    monkeypatch.setenv("LAKEHOUSE_SPARK_MODE", "databricks")
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    description, meta = _failure(shop, spark_from_env(), "bronze/shop/orders_raw", DAY)
    assert description == (
        "bronze/shop/orders_raw: LAKEHOUSE_SPARK_MODE=databricks needs Databricks Connect (it "
        "replaces pyspark with its own client; install it in an environment without pyspark): "
        'pip install -e ".[databricks]" (from the repo root; from a wheel: '
        '"<wheel>[databricks]")'
    )
    assert meta["error_type"] == "EngineSetupError"


def test_unknown_spark_mode_names_the_setting(monkeypatch):
    from lakehouse_assets.code_location import spark_from_env

    monkeypatch.setenv("LAKEHOUSE_SPARK_MODE", "locl")
    with pytest.raises(
        ValueError,
        match="LAKEHOUSE_SPARK_MODE='locl' is not one of local, connect, spark, databricks",
    ):
        spark_from_env()
