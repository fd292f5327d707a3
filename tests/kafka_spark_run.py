"""One bronze run of the Kafka test table on classic Spark, in a process of its own (a classic
session cannot share a process with Spark Connect sessions):

    python -m tests.kafka_spark_run CONTRACTS_DIR PARTITION spark_jars=JAR,JAR

The data lives under $LAKEHOUSE_DATA_ROOT. Prints the run's materialization metadata as JSON on
its last line."""

from __future__ import annotations

import json
import sys
import time

from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.project_loader import load_project_or_raise
from tests.helpers import run_assets
from tests.kafka_project import KEY, checks


def main(contracts: str, partition: str, *settings: str) -> None:
    started = time.perf_counter()
    spark = SparkResource(mode="spark", **dict(s.split("=", 1) for s in settings))
    try:
        result = run_assets(load_project_or_raise(contracts), spark, [KEY], partition)
        ran = time.perf_counter()
        [event] = result.get_asset_materialization_events()
        materialization = event.materialization
        facts = {k: getattr(v, "value", str(v)) for k, v in materialization.metadata.items()}
        facts["checks"] = {name: passed for name, (passed, _) in checks(result).items()}
        facts["seconds"] = round(ran - started, 1)
    finally:
        spark.stop()
    print(json.dumps(facts, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:])
