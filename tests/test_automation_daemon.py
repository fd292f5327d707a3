"""A late landing file reaches silver and gold with the real `dagster-daemon`: the landing sensor
requests the bronze day, the automation sensor (on by default) runs that silver day, then gold.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.scheduler.instigation import TickStatus
from dagster._core.storage.tags import AUTOMATION_CONDITION_TAG, SENSOR_NAME_TAG

from lakehouse_assets.demo.generator import generate
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.sensors.automation import AUTOMATION_SENSOR
from tests.helpers import (
    DAGSTER,
    dagster_env,
    delta_rows,
    run_assets,
    run_command,
    stop_process,
    table_path,
)

DAY = date(2024, 1, 2)
LATE = DAY - timedelta(days=1)  # lands after DAY was built
BRONZE, SILVER = "bronze/shop/orders_raw", "silver/shop/orders"
GOLD = ["gold/shop/daily_revenue", "gold/shop/customer_engagement"]
DEADLINE_S = 300.0  # ticks 30-60 s apart, runs that each start an engine, 2 busy cores


def _wait_for(what: str, found: Callable[[], Any], log: Path) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(2)
    raise AssertionError(f"no {what} within {DEADLINE_S} s; daemon log:\n{log.read_text()[-4000:]}")


def _automation_ticks(instance: DagsterInstance) -> int:
    states = [s for s in instance.all_instigator_state() if s.name == AUTOMATION_SENSOR]
    done = [TickStatus.SKIPPED, TickStatus.SUCCESS]
    return sum(
        len(instance.get_ticks(s.instigator_origin_id, s.selector_id, statuses=done))
        for s in states
    )


def _materialized_by(instance: DagsterInstance, key: str) -> tuple[str | None, str | None]:
    """(run id, partition) of the key's latest materialization."""
    event = instance.get_latest_materialization_event(AssetKey(key.split("/")))
    if event is None or event.asset_materialization is None:
        return None, None
    return event.run_id, event.asset_materialization.partition


def _order_ids(folder: Path) -> set[int]:
    """order_id of every record of a landing folder that parses (a few are corrupt on purpose)."""
    ids = set()
    for line in (folder / "part-0000.json").read_text().splitlines():
        try:
            ids.add(int(json.loads(line)["order_id"]))
        except (ValueError, TypeError, KeyError):
            continue
    return ids


def _order_ids_of(rows: list[dict[str, Any]]) -> set[int]:
    return {int(r["order_id"]) for r in rows}


def _gold_done(instance: DagsterInstance) -> bool:
    """Both gold tables' latest materializations come from one finished automation run; a
    failed automation run ends the wait at once."""
    automation = instance.get_runs(RunsFilter(tags={SENSOR_NAME_TAG: AUTOMATION_SENSOR}))
    failed = [r.run_id for r in automation if r.status == DagsterRunStatus.FAILURE]
    assert not failed, f"automation runs failed: {failed}"
    runs = {_materialized_by(instance, key)[0] for key in GOLD}
    run = instance.get_run_by_id(runs.pop()) if len(runs) == 1 and None not in runs else None
    return (
        run is not None
        and run.tags.get(SENSOR_NAME_TAG) == AUTOMATION_SENSOR
        and run.status == DagsterRunStatus.SUCCESS
    )


@pytest.mark.slow
def test_late_file_reaches_silver_and_gold(tmp_path: Path, demo_dir: Path, spark_resource):
    project = load_project_or_raise(str(demo_dir))
    landing = Path(project.environment.paths["landing"])
    staged = tmp_path / "staged"
    generate(staged, LATE, 2, scale=1)
    shutil.copytree(staged, landing, ignore=shutil.ignore_patterns(f"dt={LATE}"))
    env = dagster_env(demo_dir, tmp_path / "home")
    (tmp_path / "workspace.yaml").write_text(
        "load_from:\n  - python_module:\n      module_name: lakehouse_assets.definitions\n"
    )
    workspace = ["-w", str(tmp_path / "workspace.yaml")]
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        # DAY built first, as a day's pipeline would: every bronze and silver table, then gold.
        layers = {k.split("/")[0]: [] for k in ("bronze", "silver", "gold")}
        for key in project.assets:
            layers[key[0]].append("/".join(key))
        run_assets(project, spark_resource, layers["bronze"] + layers["silver"], str(DAY), instance)
        run_assets(project, spark_resource, layers["gold"], None, instance)
        silver_before = delta_rows(table_path(project, SILVER))
        gold_before = delta_rows(table_path(project, GOLD[0]))

        log = tmp_path / "daemon.log"
        with log.open("w") as out:
            daemon = subprocess.Popen(
                [str(Path(sys.executable).parent / "dagster-daemon"), "run", *workspace],
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            # The first evaluation only records where events stand: updates before it are not
            # followed. Land the late file after it, so the test does not race the daemon.
            _wait_for("automation tick", lambda: _automation_ticks(instance), log)
            shutil.copytree(staged / "orders" / f"dt={LATE}", landing / "orders" / f"dt={LATE}")
            started = run_command(
                [DAGSTER, "sensor", "start", "landing__shop__orders_raw", *workspace],
                env=env,
                cwd=tmp_path,
            )
            assert started.returncode == 0, started.stderr[-3000:]
            began = time.monotonic()
            _wait_for("gold run by the automation sensor", lambda: _gold_done(instance), log)
            took = time.monotonic() - began
        finally:
            stop_process(daemon)

        auto_runs = instance.get_runs(RunsFilter(tags={SENSOR_NAME_TAG: AUTOMATION_SENSOR}))
        assert {r.status for r in auto_runs} == {DagsterRunStatus.SUCCESS}
        assert all(r.tags[AUTOMATION_CONDITION_TAG] == "true" for r in auto_runs)
        # Exactly the late silver day, then gold once: nothing else was re-run.
        assert sorted(
            (sorted(r.asset_selection or []), r.tags.get("dagster/partition")) for r in auto_runs
        ) == sorted(
            [
                ([AssetKey(SILVER.split("/"))], str(LATE)),
                (sorted(AssetKey(k.split("/")) for k in GOLD), None),
            ]
        )
        silver_run, silver_day = _materialized_by(instance, SILVER)
        assert silver_day == str(LATE)
        assert instance.get_run_by_id(str(silver_run)).tags[SENSOR_NAME_TAG] == AUTOMATION_SENSOR
        bronze_run = instance.get_run_by_id(str(_materialized_by(instance, BRONZE)[0]))
        assert bronze_run is not None and bronze_run.tags[SENSOR_NAME_TAG] == (
            "landing__shop__orders_raw"
        )

    # Silver gained orders, each one from the late file.
    late_ids = _order_ids(staged / "orders" / f"dt={LATE}")
    before, after = (
        _order_ids_of(silver_before),
        _order_ids_of(delta_rows(table_path(project, SILVER))),
    )
    assert before < after and after - before <= late_ids
    gold_after = delta_rows(table_path(project, GOLD[0]))
    assert gold_after != gold_before
    print(f"late file -> bronze, silver, gold by the daemon in {took:.0f} s")
