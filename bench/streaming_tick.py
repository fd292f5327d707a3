"""Per-tick cost of a streaming contract through one day: files land one at a time, and each
tick runs the landing sensor and the run it requests (in-process `materialize` with the
request's partition and tags, as the daemon launches it).

Three ways, each on a fresh folder, the same files:
- append: today's behaviour (the sensor's run appends the new file's rows),
- replace: the old behaviour (the same run without the sensor's append tag replaces the day
  with every file so far),
- script: hand-written PySpark on the same embedded engine reading the one new file and
  appending it to a Delta table partition (no sensor, manifest, checks or quarantine).

    PYTHONPATH=. python bench/streaming_tick.py --files 100 --rows 20
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

DAY = "2024-01-01"
REPO = Path(__file__).resolve().parents[1]


def land(landing: Path, index: int, rows: int) -> Path:
    folder = landing / "events" / f"dt={DAY}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{index:05d}.json"
    row = {"product_id": index, "event_type": "view", "event_ts": f"{DAY}T10:00:00"}
    lines = [
        json.dumps({"event_id": f"e{index}-{r}", "customer_id": r, **row}) for r in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def framework(
    files: int, rows: int, append: bool, spark_resource: Any, profile: str | None = None
) -> list[float]:
    """`profile`: a file for cProfile's stats of ticks 1-10 and of the last 10 (`.first`,
    `.last`), to see what grows."""
    from dagster import (
        AssetKey,
        AssetsDefinition,
        DagsterInstance,
        build_sensor_context,
        materialize,
    )

    from lakehouse_assets.assets.bronze_stream import APPEND_TAG
    from lakehouse_assets.assets.factory import build_assets
    from lakehouse_assets.assets.run_config import QUIET
    from lakehouse_assets.assets.specs import contract_specs
    from lakehouse_assets.code_location import build_definitions
    from lakehouse_assets.project_loader import load_project_or_raise
    from lakehouse_assets.sensors.landing import landing_sensors

    work = Path(tempfile.mkdtemp(prefix="bench-stream-"))
    os.environ["LAKEHOUSE_DATA_ROOT"] = str(work / "data")
    shutil.copytree(REPO / "contracts", work / "contracts")
    project = load_project_or_raise(str(work / "contracts"))
    defs = build_definitions(str(project.root), spark=spark_resource)
    resources = dict(defs.resources or {})
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    key = AssetKey(["bronze", "shop", "events_raw"])
    sensor = next(
        s
        for s in landing_sensors(project, contract_specs(project))
        if s.name.endswith("events_raw")
    )
    landing = Path(project.environment.paths["landing"])
    times, cursor = [], None
    stats: dict[bool, pstats.Stats | None] = {True: None, False: None}
    try:
        with DagsterInstance.ephemeral() as instance:
            for i in range(files):
                land(landing, i, rows)
                profiler = cProfile.Profile() if profile and (i < 10 or i >= files - 10) else None
                if profiler:
                    profiler.enable()
                t0 = time.perf_counter()
                tick = sensor(build_sensor_context(instance=instance, cursor=cursor))
                cursor = tick.cursor
                (request,) = tick.run_requests
                tags = dict(request.tags)
                if not append:
                    tags.pop(APPEND_TAG)
                result = materialize(
                    assets,
                    selection=[key],
                    partition_key=request.partition_key,
                    resources=resources,
                    instance=instance,
                    run_config=QUIET,
                    tags=tags,
                )
                times.append(time.perf_counter() - t0)
                if profiler:
                    profiler.disable()
                    found = stats[i < 10]
                    if found is None:
                        stats[i < 10] = pstats.Stats(profiler)
                    else:
                        found.add(profiler)
                (event,) = result.get_asset_materialization_events()
                meta = event.materialization.metadata
                assert meta["dagster/partition_row_count"].value == rows * (i + 1)
                assert meta["files_read"].value == (1 if append else i + 1)
    finally:
        shutil.rmtree(work)
    for first, collected in stats.items():
        if collected and profile:
            collected.dump_stats(f"{profile}.{'first' if first else 'last'}")
    return times


def script(files: int, rows: int, spark: Any) -> list[float]:
    from pyspark.sql import functions as F

    work = Path(tempfile.mkdtemp(prefix="bench-stream-script-"))
    table = str(work / "events_raw")
    schema = (
        "event_id STRING, customer_id BIGINT, product_id BIGINT, event_type STRING, "
        "event_ts TIMESTAMP"
    )
    times = []
    try:
        for i in range(files):
            path = land(work, i, rows)
            t0 = time.perf_counter()
            (
                spark.read.schema(schema)
                .json(str(path))
                .withColumn("_ingested_at", F.current_timestamp())
                .withColumn("_ingested_date", F.lit(DAY).cast("date"))
                .withColumn("_source_file", F.lit(str(path)))
                .write.format("delta")
                .mode("append")
                .partitionBy("_ingested_date")
                .save(table)
            )
            times.append(time.perf_counter() - t0)
        assert spark.read.format("delta").load(table).count() == files * rows
    finally:
        shutil.rmtree(work)
    return times


def summary(times: list[float]) -> str:
    first, last = times[:10], times[-10:]
    return f"ticks 1-10 median {statistics.median(first):.3f} s, last 10 median " + (
        f"{statistics.median(last):.3f} s (max {max(last):.3f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--modes", default="append,replace,script")
    parser.add_argument("--profile", help="cProfile stats of the first and last 10 ticks")
    args = parser.parse_args()
    from lakehouse_assets.engine.resource import SparkResource

    spark_resource = SparkResource(mode="local")
    results: dict[str, list[float]] = {}
    for mode in args.modes.split(","):
        if mode == "script":
            results[mode] = script(args.files, args.rows, spark_resource.get_session())
        else:
            profile = f"{args.profile}.{mode}" if args.profile else None
            results[mode] = framework(
                args.files, args.rows, mode == "append", spark_resource, profile
            )
        print(f"{mode}: {summary(results[mode])}", flush=True)
    if "append" in results and "script" in results:
        a, s = results["append"][-10:], results["script"][-10:]
        print(f"append / script, last 10: {statistics.median(a) / statistics.median(s):.1f}x")


if __name__ == "__main__":
    main()
