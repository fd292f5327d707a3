"""One concurrency pool per table: with the instance's pool limit at 1 (as the repo's
dagster.yaml sets it), two runs writing the same table do not write at the same time; the
second run's step waits for the first to finish. Two real `dagster asset materialize`
processes on one instance, as Dagster's run launcher would start them."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance

from lakehouse_assets.demo.generator import generate
from tests.helpers import dagster_env, delta_rows, materialize_command, run_command, table_path

ORDERS = "bronze/shop/orders_raw"
POOL = "lakehouse/bronze/shop/orders_raw"
DAYS = ["2024-01-01", "2024-01-02"]
POOLS_YAML = "concurrency:\n  pools:\n    default_limit: 1\n"


def _step_window(instance: DagsterInstance, run_id: str) -> tuple[float, float]:
    kinds = {DagsterEventType.STEP_START: "start", DagsterEventType.STEP_SUCCESS: "end"}
    found = {
        kinds[e.dagster_event_type]: e.timestamp
        for e in instance.all_logs(run_id)
        if e.dagster_event_type in kinds
    }
    return found["start"], found["end"]


def test_runs_of_one_table_take_turns(tmp_path: Path, demo_dir: Path, demo_project):
    generate(Path(demo_project.environment.paths["landing"]), date(2024, 1, 1), 2, scale=1)
    home = tmp_path / "home"
    env = dagster_env(demo_dir, home)
    with (home / "dagster.yaml").open("a") as config:
        config.write(POOLS_YAML)
    DagsterInstance.from_config(str(home)).dispose()  # storage created once, not by both runs

    def run(day: str) -> subprocess.CompletedProcess[str]:
        return run_command(materialize_command(ORDERS, day), env=env, cwd=tmp_path)

    with ThreadPoolExecutor(2) as pool:  # threads only wait on the two processes
        done = list(pool.map(run, DAYS))
    assert all(d.returncode == 0 for d in done), [d.stderr[-2000:] for d in done]
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        windows = sorted(_step_window(instance, r.run_id) for r in runs)
        info = instance.event_log_storage.get_concurrency_info(POOL)
    assert len(windows) == 2 and info.slot_count == 1
    (_, first_end), (second_start, _) = windows
    assert second_start >= first_end, f"the two writes overlapped: {windows}"
    rows = delta_rows(table_path(demo_project, ORDERS))
    assert {str(r["_ingested_date"]) for r in rows} == set(DAYS)
