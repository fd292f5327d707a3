"""One concurrency pool per table: with the instance's pool limit at 1 (as the repo's
dagster.yaml sets it), two runs writing the same table do not write at the same time; the
second run's step waits for the first to finish. Real runs on a real instance."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from dagster import AssetKey, DagsterEventType, DagsterInstance, materialize

from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.demo.generator import generate
from tests.helpers import QUIET, delta_rows, table_path

ORDERS = AssetKey(["bronze", "shop", "orders_raw"])
POOL = "lakehouse/bronze/shop/orders_raw"
DAYS = ["2024-01-01", "2024-01-02"]


def _step_window(instance: DagsterInstance, run_id: str) -> tuple[float, float]:
    events = instance.all_logs(run_id)
    kinds = {DagsterEventType.STEP_START: "start", DagsterEventType.STEP_SUCCESS: "end"}
    found = {
        kinds[e.dagster_event_type]: e.timestamp for e in events if e.dagster_event_type in kinds
    }
    return found["start"], found["end"]


def test_runs_of_one_table_take_turns(tmp_path: Path, demo_dir: Path, demo_project, spark_resource):
    generate(Path(demo_project.environment.paths["landing"]), date(2024, 1, 1), 2, scale=1)
    defs = build_definitions(str(demo_dir), spark=spark_resource)
    assets = [a for a in defs.assets if getattr(a, "key", None) == ORDERS]
    overrides = {"concurrency": {"pools": {"default_limit": 1}}}
    (tmp_path / "home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "home"), overrides=overrides) as instance:
        results: dict[str, str] = {}

        def run(day: str) -> None:
            result = materialize(
                assets, partition_key=day, resources=dict(defs.resources or {}),
                instance=instance, run_config=QUIET,
            )  # fmt: skip
            results[day] = result.run_id

        threads = [threading.Thread(target=run, args=(d,)) for d in DAYS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert set(results) == set(DAYS), "a run did not finish"
        windows = sorted(_step_window(instance, results[d]) for d in DAYS)
        info = instance.event_log_storage.get_concurrency_info(POOL)
    assert info.slot_count == 1
    (_, first_end), (second_start, _) = windows
    assert second_start >= first_end, f"the two writes overlapped: {windows}"
    days = {
        str(r["_ingested_date"])
        for r in delta_rows(table_path(demo_project, "bronze/shop/orders_raw"))
    }
    assert days == set(DAYS)
