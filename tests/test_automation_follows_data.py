"""Automation that follows the data (assets/automation.py, sensors/automation.py): conditions
evaluated by Dagster's own evaluator on a real instance after real runs, and the sensor that
runs them. tests/test_automation_daemon.py runs the same with the real daemon."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dagster import (
    DagsterInstance,
    DefaultSensorStatus,
    Definitions,
    evaluate_automation_conditions,
)
from dagster._core.definitions.sensor_definition import SensorType

from lakehouse_assets.assets.specs import contract_specs
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.project_loader import load_project, load_project_or_raise
from lakehouse_assets.sensors.automation import AUTOMATION_SENSOR, automation_sensor
from tests.helpers import run_assets

OLD_DAY = "2024-01-02"  # years before today: outside any "latest window"


class Ticks:
    """Successive evaluations of the conditions, as the sensor's ticks (the cursor carried)."""

    def __init__(self, defs: Definitions, instance: DagsterInstance):
        self.defs, self.instance, self.cursor = defs, instance, None

    def requested(self) -> dict[str, set[str | None]]:
        result = evaluate_automation_conditions(self.defs, self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        graph = self.defs.resolve_asset_graph()
        return {
            key.to_user_string(): set(result.get_requested_partitions(key))
            for key in graph.materializable_asset_keys
            if result.get_num_requested(key)
        }


def _set_promotion(demo_dir: Path, name: str, change: dict) -> None:
    path = demo_dir / "ingestion" / "silver" / f"{name}.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))


def test_no_history_is_backfilled(demo_dir: Path, spark_resource):
    """A fresh instance: 800+ daily partitions exist and every one is missing everywhere, and
    nothing is requested, on the first tick or after."""
    defs = build_definitions(str(demo_dir), spark=spark_resource)
    with DagsterInstance.ephemeral() as instance:
        ticks = Ticks(defs, instance)
        assert [ticks.requested() for _ in range(3)] == [{}, {}, {}]


def test_old_day_reaches_silver_then_gold(demo_project, demo_landing, spark_resource):
    defs = build_definitions(str(demo_project.root), spark=spark_resource)

    def run(keys: list[str]) -> None:
        run_assets(demo_project, spark_resource, keys, OLD_DAY, instance)

    with DagsterInstance.ephemeral() as instance:
        ticks = Ticks(defs, instance)
        assert ticks.requested() == {}
        # One run built bronze and silver products: that update is used, nothing to follow.
        run(["bronze/shop/products_raw", "silver/shop/products"])
        # daily_revenue also reads silver orders, never built yet: it waits.
        assert ticks.requested() == {}
        run(["bronze/shop/orders_raw"])
        assert ticks.requested() == {"silver/shop/orders": {OLD_DAY}}
        assert ticks.requested() == {}  # the request handled that update: not asked again
        run(["silver/shop/orders"])
        # Every upstream of daily_revenue has one built day (and 800+ never built): it runs.
        # customer_engagement also reads silver events and customers, never built: it waits.
        assert ticks.requested() == {"gold/shop/daily_revenue": {None}}
        assert ticks.requested() == {}


def test_lookback_limits_which_days_follow(demo_dir: Path, demo_landing, spark_resource):
    _set_promotion(demo_dir, "orders", {"automation_lookback_days": 2})
    project = load_project_or_raise(str(demo_dir))
    defs = build_definitions(str(demo_dir), spark=spark_resource)
    # Two days back, not one: the test still holds if the UTC date turns meanwhile.
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    with DagsterInstance.ephemeral() as instance:
        ticks = Ticks(defs, instance)
        assert ticks.requested() == {}
        for day in (OLD_DAY, yesterday):  # yesterday has no landing files: an empty bronze day
            run_assets(project, spark_resource, ["bronze/shop/orders_raw"], day, instance)
        assert ticks.requested() == {"silver/shop/orders": {yesterday}}


def test_lookback_is_validated(demo_dir: Path):
    _set_promotion(demo_dir, "orders", {"automation_lookback_days": -1})
    errors = load_project(str(demo_dir)).errors
    assert [(str(e.file), e.field) for e in errors] == [
        ("ingestion/silver/orders.json", "automation_lookback_days")
    ]
    assert "greater than or equal to 0" in errors[0].message


def test_one_running_automation_sensor_covers_every_conditioned_asset(demo_project):
    defs = build_definitions(str(demo_project.root))
    graph = defs.resolve_asset_graph()
    automation = [
        s
        for s in defs.get_repository_def().sensor_defs
        if s.sensor_type in (SensorType.AUTO_MATERIALIZE, SensorType.AUTOMATION)
    ]
    # Dagster adds `default_automation_condition_sensor` for any conditioned asset no
    # automation sensor targets: there is none.
    assert [s.name for s in automation] == [AUTOMATION_SENSOR]
    sensor = automation[0]
    assert sensor.default_status == DefaultSensorStatus.RUNNING
    conditioned = {k for k in graph.materializable_asset_keys if graph.get(k).automation_condition}
    assert {k.to_user_string() for k in conditioned} >= {
        "silver/shop/orders",
        "gold/shop/daily_revenue",
    }
    assert sensor.asset_selection is not None
    assert conditioned <= sensor.asset_selection.resolve(graph)
    named = automation_sensor(contract_specs(demo_project), name="shop_automation")
    assert named.name == "shop_automation"
