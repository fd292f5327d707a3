"""Landing sensors on real files and a real manifest, through Dagster's sensor testing API."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

from dagster import AssetKey, DagsterInstance, SensorResult, build_sensor_context

from lakehouse_assets.assets.bronze import manifest_for
from lakehouse_assets.assets.specs import contract_specs
from lakehouse_assets.sensors.landing import landing_sensors, landing_tick, sensor_name
from tests.helpers import delta_rows, run_assets, table_path

ORDERS = "bronze/shop/orders_raw"


def _sensor(project, key: str):
    specs = contract_specs(project)
    name = sensor_name(specs.key(tuple(key.split("/"))))
    return next(s for s in landing_sensors(project, specs) if s.name == name)


def _tick(sensor, instance, cursor=None) -> SensorResult:
    result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult)
    return result


def _write(landing: Path, rel: str, lines: list[str], mtime: float | None = None) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_new_files_go_to_their_dated_partitions_once(demo_project, demo_landing):
    sensor = _sensor(demo_project, ORDERS)
    with DagsterInstance.ephemeral() as instance:
        first = _tick(sensor, instance)
        parts = [r.partition_key for r in first.run_requests]
        assert parts == ["2024-01-01", "2024-01-02", "2024-01-03"]
        assert all(r.asset_selection[0].to_user_string() == ORDERS for r in first.run_requests)
        # Repeated tick with the advanced cursor: nothing new, nothing requested.
        again = _tick(sensor, instance, first.cursor)
        assert again.run_requests == []
        # A new day lands: exactly that partition is requested.
        _write(
            demo_landing,
            "orders/dt=2024-01-04/part-0000.json",
            ['{"order_id": 900, "customer_id": 1, "op_type": "I"}'],
        )
        later = _tick(sensor, instance, again.cursor)
        assert [r.partition_key for r in later.run_requests] == ["2024-01-04"]
    entries = manifest_for(demo_project).entries(ORDERS)
    assert sorted({e.partition for e in entries.values()}) == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
    ]
    # Every landing file exactly once in the manifest.
    on_disk = sorted(str(p) for p in (demo_landing / "orders").rglob("*.json"))
    assert sorted(entries) == on_disk


def test_restart_and_crash_between_assignment_and_run(demo_project, demo_landing):
    """A crash after recording files but before the run request: the next tick (old cursor,
    fresh sensor object as after a restart) requests the same runs with the same run_keys."""
    with DagsterInstance.ephemeral() as instance:
        first = _tick(_sensor(demo_project, ORDERS), instance)  # result "lost": cursor unsaved
        manifest_before = manifest_for(demo_project).entries(ORDERS)
        replay = _tick(_sensor(demo_project, ORDERS), instance, cursor=None)
        assert [r.run_key for r in replay.run_requests] == [r.run_key for r in first.run_requests]
        assert manifest_for(demo_project).entries(ORDERS) == manifest_before
        # After a restart with the saved cursor nothing is requested twice.
        assert _tick(_sensor(demo_project, ORDERS), instance, replay.cursor).run_requests == []


def test_sensor_runs_ingest_each_file_once(demo_project, demo_landing, spark_resource):
    """Run what the sensor asks for, twice (a duplicated request): rows are those of the files."""
    with DagsterInstance.ephemeral() as instance:
        result = _tick(_sensor(demo_project, ORDERS), instance)
        request = result.run_requests[1]
        for _ in range(2):
            run_assets(demo_project, spark_resource, [ORDERS], request.partition_key)
    rows = delta_rows(table_path(demo_project, ORDERS), ["_source_file", "order_id"])
    landed = (demo_landing / "orders" / "dt=2024-01-02" / "part-0000.json").read_text()
    assert len(rows) == len(landed.splitlines())
    assert {r["_source_file"] for r in rows} == {
        str(demo_landing / "orders" / "dt=2024-01-02" / "part-0000.json")
    }


def test_undated_files_go_to_their_modification_day_and_ymd_paths(demo_project, demo_landing):
    landing = demo_landing
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    _write(landing, "orders/late_drop.json", ['{"order_id": 901}'])  # just landed: today
    jan5 = datetime(2024, 1, 5, 12, tzinfo=timezone.utc).timestamp()
    _write(landing, "orders/old_copy.json", ['{"order_id": 902}'], mtime=jan5)
    _write(landing, "orders/2024/01/06/x.json", ['{"order_id": 903}'])
    with DagsterInstance.ephemeral() as instance:
        result = _tick(_sensor(demo_project, ORDERS), instance)
    parts = {r.partition_key for r in result.run_requests}
    assert {today, "2024-01-05", "2024-01-06"} <= parts
    entries = manifest_for(demo_project).entries(ORDERS)
    assert entries[str(landing / "orders/late_drop.json")].partition == today
    assert entries[str(landing / "orders/2024/01/06/x.json")].partition == "2024-01-06"


def test_file_modified_after_assignment_stays_in_its_partition(demo_project, demo_landing):
    """Documented: a modified file is not re-assigned; re-run its partition to re-read it."""
    path = demo_landing / "orders" / "dt=2024-01-02" / "part-0000.json"
    with DagsterInstance.ephemeral() as instance:
        first = _tick(_sensor(demo_project, ORDERS), instance)
        time.sleep(0.01)
        path.write_text(path.read_text() + '{"order_id": 999}\n')
        os.utime(path, None)
        again = _tick(_sensor(demo_project, ORDERS), instance, first.cursor)
    assert again.run_requests == []
    entry = manifest_for(demo_project).entries(ORDERS)[str(path)]
    assert entry.partition == "2024-01-02"


def test_bronze_run_and_sensor_agree(demo_project, demo_landing, spark_resource):
    """Files a bronze run already recorded are not requested again by the sensor."""
    run_assets(demo_project, spark_resource, [ORDERS], "2024-01-01")
    table = demo_project.assets[tuple(ORDERS.split("/"))]
    tick = landing_tick(
        manifest_for(demo_project), ORDERS, table.ingestion, AssetKey(ORDERS.split("/")), None
    )
    assert [r.partition_key for r in tick.requests] == ["2024-01-02", "2024-01-03"]


def test_streaming_contract_gets_a_streaming_sensor(demo_project, demo_landing):
    sensor = _sensor(demo_project, "bronze/shop/events_raw")
    assert "available-now" in (sensor.description or "")
    with DagsterInstance.ephemeral() as instance:
        result = _tick(sensor, instance)
    assert [r.partition_key for r in result.run_requests] == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
    ]
