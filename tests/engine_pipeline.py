"""The demo lakehouse, end to end, on one engine, in a process of its own:

    python -m tests.engine_pipeline DATA_DIR DAYS MODE [KEY=VALUE ...]

MODE and the KEY=VALUE pairs are SparkResource fields (spark_jars, master, connect_url,
connect_profile). Classic Spark needs a process without Spark Connect sessions (pyspark's
SPARK_CONNECT_MODE_ENABLED). Prints the demo summary (rows, checks) as JSON on its last line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lakehouse_assets.demo.run import run_demo
from lakehouse_assets.engine.resource import SparkResource


def main(data_dir: str, days: str, mode: str, *settings: str) -> None:
    fields = dict(s.split("=", 1) for s in settings)
    spark = SparkResource(mode=mode, **fields)  # type: ignore[arg-type]
    try:
        summary = run_demo(Path(data_dir), days=int(days), spark=spark)
    finally:
        spark.stop()
    facts = {"rows": summary.rows, "checks": summary.checks, "runs": summary.runs}
    print(json.dumps({**facts, "seconds": round(summary.seconds, 1)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
