"""Runs the real DKOps (its own venv: .ci/dkops_env.sh) over a contract folder the way a DKOps
user's daily pipeline does: Launcher(config.json), IngestionEngine.from_spark(...), then for
each day the day's landing files arrive, ingest_bronze() and promote_silver().

Usage (cwd = the data folder, where config.json's relative paths point):
  .cache/dkops-venv/bin/python tests/dkops_diff/run_dkops.py CONTRACTS JARS_DIR DAY [DAY...]

The one departure from a user's script: the Spark session is started here, with the Delta jars
.ci/dkops_env.sh fetched, before Launcher asks Ivy for them (spark.jars.packages), so the test
downloads nothing. Launcher then reuses this session (getOrCreate) with its own settings.
Prints one JSON line: {"failed_bronze": [...], "failed_silver": [...]} per day."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from landing_data import write_day


def _session(config: dict, jars: Path):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName(config.get("SPARK_APP_NAME", "DKOps"))
        .config("spark.jars", ",".join(str(j) for j in sorted(jars.glob("*.jar"))))
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"
        )
        .config("spark.sql.warehouse.dir", str(Path(config["SPARK_WAREHOUSE_DIR"]).resolve()))
        .config("spark.sql.shuffle.partitions", "4")  # as Launcher sets it
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Tiny tables: one task to rebuild a Delta snapshot instead of 50 (3x faster here).
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.sql.adaptive.coalescePartitions.initialPartitionNum", "4")
        .getOrCreate()
    )


def main(contracts: Path, jars: Path, days: list[str]) -> int:
    config_path = contracts / "config.json"
    config = json.loads(config_path.read_text())
    spark = _session(config, jars)

    from DKOps.ingestion.engine import IngestionEngine
    from DKOps.launcher import Launcher

    launcher = Launcher(str(config_path))
    assert launcher.spark is spark, "Launcher started another session"
    # Launcher sets 4 shuffle partitions on it; one is enough for these few rows (faster).
    spark.conf.set("spark.sql.shuffle.partitions", "1")
    engine = IngestionEngine.from_spark(
        spark=launcher.spark,
        env=launcher.env,
        bronze_contracts_dir=str(contracts / "ingestion" / "batch"),
        silver_contracts_dir=str(contracts / "ingestion" / "silver"),
        tables_base_dir=str(contracts),
    )
    landing = Path(launcher.env.get_path("landing"))
    status = 0
    for day in days:
        write_day(landing, day)
        failed = {"day": day, "failed_bronze": engine.ingest_bronze()}
        failed["failed_silver"] = engine.promote_silver()
        print(json.dumps(failed), flush=True)
        status |= bool(failed["failed_bronze"] or failed["failed_silver"])
    spark.stop()
    return status


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), sys.argv[3:]))
