"""The Delta Lake jars and settings a JVM Spark (classic, or a Spark Connect server) needs.

delta-spark on PyPI ships Python only. Its `configure_spark_with_delta_pip` asks Spark's Ivy
resolver for `io.delta:delta-spark_<spark>_2.13:<pip version>`, but delta-spark 4.4.1 has no
4.4.1 jars on Maven Central (404, 2026-11-22): 4.4.0 is the newest for Spark 4.2. So the jars
are fetched once by `.ci/fetch_jars.sh` (Maven) and named by LAKEHOUSE_SPARK_JARS.
"""

from __future__ import annotations

from pathlib import Path

# The newest io.delta:delta-spark_4.2_2.13 on Maven Central; .ci/fetch_jars.sh fetches it.
DELTA_JARS_VERSION = "4.4.0"
JARS_SETTING = "LAKEHOUSE_SPARK_JARS (SparkResource.spark_jars)"
FETCH_COMMAND = ".ci/fetch_jars.sh"
# Where .ci/fetch_jars.sh puts the jars, relative to the project checkout.
DEFAULT_JARS_DIR = Path(".cache") / "jars"
# What makes a Spark session read and write Delta and resolve delta.`path` tables.
DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}

# A JVM Spark on one machine (master local[...]): Spark's 200 shuffle partitions and Delta's
# 50 snapshot partitions turn every small MERGE into hundreds of tasks (a 2-day demo run took
# 630 s on 2 busy cores). Settings of the engine, not of the data: a cluster keeps its own.
LOCAL_JVM_CONF = {
    "spark.sql.shuffle.partitions": "4",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.ui.enabled": "false",
}


class MissingJarsError(RuntimeError):
    """The jar setting names nothing usable; the message says what to run."""


def delta_package() -> str:
    """The Maven coordinate Spark's own resolver (spark.jars.packages) fetches at start."""
    import pyspark

    spark = ".".join(pyspark.__version__.split(".")[:2])
    return f"io.delta:delta-spark_{spark}_2.13:{DELTA_JARS_VERSION}"


def resolve_jars(setting: str) -> list[str]:
    """The jar files a setting names: a folder (every *.jar in it) or a comma list of files."""
    parts = [p.strip() for p in setting.split(",") if p.strip()]
    if len(parts) == 1 and Path(parts[0]).is_dir():
        jars = sorted(str(p.resolve()) for p in Path(parts[0]).glob("*.jar"))
        if not any("delta-spark" in Path(j).name for j in jars):
            raise MissingJarsError(
                f"{JARS_SETTING}={setting!r} holds no delta-spark jar: run {FETCH_COMMAND} "
                f"{parts[0]} (Maven) to fetch them there"
            )
        return jars
    missing = [p for p in parts if not Path(p).is_file()]
    if missing or not parts:
        raise MissingJarsError(
            f"{JARS_SETTING}={setting!r}: no such jar file {missing or setting!r}; set it to the "
            f"folder {FETCH_COMMAND} fills (default {DEFAULT_JARS_DIR}) or a comma list of jars"
        )
    return [str(Path(p).resolve()) for p in parts]


def fetched_jars(root: Path) -> list[str]:
    """The jars .ci/fetch_jars.sh left under `root` (a checkout), or [] before it ran."""
    folder = root / DEFAULT_JARS_DIR
    try:
        return resolve_jars(str(folder)) if folder.is_dir() else []
    except MissingJarsError:
        return []
