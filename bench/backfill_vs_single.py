"""Bronze + silver of the demo over N days: one range run (the backfill policy) vs N
single-partition runs, each through Dagster on the embedded engine.

    PYTHONPATH=. python bench/backfill_vs_single.py --days 5 --scale 20
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from lakehouse_assets.assets.run_config import QUIET


def _prepare(work: Path, days: int, scale: int):
    from dagster import AssetsDefinition

    from lakehouse_assets.assets.factory import build_assets
    from lakehouse_assets.code_location import build_definitions
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.engine.resource import SparkResource
    from lakehouse_assets.project_loader import load_project_or_raise

    os.environ["LAKEHOUSE_DATA_ROOT"] = str(work / "data")
    contracts = Path(__file__).resolve().parents[1] / "contracts"
    project = load_project_or_raise(str(contracts))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), days, scale)
    resources = dict(
        build_definitions(str(contracts), spark=SparkResource(mode="local")).resources or {}
    )
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    return [a for a in assets if a.partitions_def is not None], resources


def main() -> None:
    from dagster import materialize
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--scale", type=int, default=20)
    args = parser.parse_args()
    days = [(date(2024, 1, 1) + timedelta(days=i)).isoformat() for i in range(args.days)]
    times = {}
    for mode in ("warmup", "single", "range"):
        work = Path(tempfile.mkdtemp(prefix="bench-backfill-"))
        assets, resources = _prepare(work, args.days if mode != "warmup" else 1, args.scale)
        t0 = time.perf_counter()
        if mode == "range":
            tags = {
                ASSET_PARTITION_RANGE_START_TAG: days[0],
                ASSET_PARTITION_RANGE_END_TAG: days[-1],
            }
            materialize(assets, tags=tags, resources=resources, run_config=QUIET)
        else:
            for day in days[: 1 if mode == "warmup" else None]:
                materialize(assets, partition_key=day, resources=resources, run_config=QUIET)
        times[mode] = time.perf_counter() - t0
        shutil.rmtree(work)
    print(
        f"days={args.days} scale={args.scale} single_runs_s={times['single']:.1f} "
        f"one_range_run_s={times['range']:.1f}"
    )


if __name__ == "__main__":
    main()
