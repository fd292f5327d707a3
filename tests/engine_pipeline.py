"""The demo lakehouse, end to end, on one engine, in a process of its own:

    python -m tests.engine_pipeline DATA_DIR DAYS MODE [KEY=VALUE ...]

MODE and the KEY=VALUE pairs are SparkResource fields (spark_jars, master, connect_url,
connect_profile); `conf.NAME=VALUE` adds a Spark setting, `only=KEY,KEY` runs just those assets
for each day (the demo's landing files, no gold). Classic Spark needs a process without Spark
Connect sessions (pyspark's SPARK_CONNECT_MODE_ENABLED). Prints the run's facts as JSON on its
last line."""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lakehouse_assets.demo.generator import generate
from lakehouse_assets.demo.open_results import demo_contracts
from lakehouse_assets.demo.run import run_demo
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.project_loader import load_project_or_raise
from tests.helpers import run_assets

START = date(2024, 1, 1)


def main(data_dir: str, days: str, mode: str, *settings: str) -> None:
    fields: dict[str, Any] = dict(s.split("=", 1) for s in settings)
    conf = {k.removeprefix("conf."): fields.pop(k) for k in list(fields) if k.startswith("conf.")}
    only = fields.pop("only", None)
    spark = SparkResource(mode=mode, spark_conf=conf, **fields)
    try:
        if only:
            facts = _run_only(Path(data_dir), int(days), spark, only.split(","))
        else:
            summary = run_demo(Path(data_dir), days=int(days), start=START, spark=spark)
            facts = {"rows": summary.rows, "checks": summary.checks, "runs": summary.runs}
            facts["seconds"] = round(summary.seconds, 1)
    finally:
        spark.stop()
    print(json.dumps(facts))


def _run_only(data: Path, days: int, spark: SparkResource, keys: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    project = load_project_or_raise(str(demo_contracts()), data_dir=data.resolve())
    generate(Path(project.environment.paths["landing"]), START, days, 1)
    for day in range(days):
        run_assets(project, spark, keys, (START + timedelta(days=day)).isoformat())
    return {"runs": days, "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    main(*sys.argv[1:])
