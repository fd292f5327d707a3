"""Landing sensor tick over N files: the first tick (records every file in the manifest and
requests runs) and a steady tick (nothing new), through Dagster's sensor testing API.

    PYTHONPATH=. python bench/sensor_tick.py --files 10000 --days 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-sensor-"))
    os.environ["LAKEHOUSE_DATA_ROOT"] = str(work / "data")
    shutil.copytree(Path(__file__).resolve().parents[1] / "contracts", work / "contracts")

    from dagster import DagsterInstance, build_sensor_context

    from lakehouse_assets.project_loader import load_project_or_raise
    from lakehouse_assets.sensors.landing import landing_sensors

    project = load_project_or_raise(str(work / "contracts"))
    landing = Path(project.environment.paths["landing"]) / "orders"
    for i in range(args.files):
        day = f"2024-01-{1 + i % args.days:02d}"
        path = landing / f"dt={day}" / f"part-{i:05d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'{{"order_id": {i}}}\n')
    sensor = next(s for s in landing_sensors(project) if s.name.endswith("orders_raw"))
    with DagsterInstance.ephemeral() as instance:
        t0 = time.perf_counter()
        first = sensor(build_sensor_context(instance=instance))
        t1 = time.perf_counter()
        steady = sensor(build_sensor_context(instance=instance, cursor=first.cursor))
        t2 = time.perf_counter()
        newer = landing / "dt=2024-02-01" / "part-new.json"
        newer.parent.mkdir(parents=True)
        newer.write_text('{"order_id": -1}\n')
        one = sensor(build_sensor_context(instance=instance, cursor=steady.cursor))
        t3 = time.perf_counter()
    print(
        f"files={args.files} first_tick_s={t1 - t0:.2f} runs={len(first.run_requests)} "
        f"steady_tick_s={t2 - t1:.2f} runs={len(steady.run_requests)} "
        f"one_new_file_tick_s={t3 - t2:.2f} runs={len(one.run_requests)}"
    )
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
