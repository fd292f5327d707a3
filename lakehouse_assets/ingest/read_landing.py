"""Landing files read with the engine's reader and judged, one DataFrame per file (or one for
all of them, where the engine can say which file each line came from).

Each file is read with Spark's reader and the source's options (Spark's names and meanings:
contracts/source_options.py), into the record's raw text plus one value per data column; every
row is stamped with its landing file and the time the file was assigned to the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.framework_columns import INGESTED_AT, RAW
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.judge_records import judge_fields, judge_json, judge_text
from lakehouse_assets.ingest.landing_read import FILE, LandingRead, text_schema
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.ingest.prepare import Prepared

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession


def judged_files(
    spark: SparkSession,
    prepared: dict[str, Prepared],
    files: list[ManifestEntry],
    read: LandingRead,
    capabilities: Capabilities,
) -> list[DataFrame]:
    """Judged rows, one DataFrame per file (or one for all, where the engine can say which
    file each line came from and the records' columns do not depend on the file)."""
    from pyspark.sql import functions as F

    readable = [e for e in files if prepared[e.file_path].read_path is not None]
    if not readable:
        return []
    line_based = read.fmt in ("json", "text")
    keys = capabilities.json_object_keys

    def judge(df: DataFrame, read: LandingRead) -> DataFrame:
        return judge_json(df, read, keys) if read.fmt == "json" else judge_text(df, read)

    if line_based and capabilities.file_metadata_column:
        stamps = spark.createDataFrame(
            [(prepared[e.file_path].read_path, e.file_path, e.assigned_at) for e in readable],
            f"_read STRING, {FILE} STRING, {INGESTED_AT} TIMESTAMP",
        )
        paths = [str(prepared[e.file_path].read_path) for e in readable]
        lines = _lines(spark, paths).select("*", _read_path(F.col("_metadata.file_path")))
        return [judge(lines.join(F.broadcast(stamps), "_read", "left"), read)]
    units = []
    for entry in readable:
        path = str(prepared[entry.file_path].read_path)
        if line_based:
            units.append(judge(_stamp(_lines(spark, [path]), entry), read))
        else:
            units.append(judge_fields(_stamp(_read_file(spark, path, read), entry), read))
    return units


def _stamp(df: DataFrame, entry: ManifestEntry) -> DataFrame:
    from pyspark.sql import functions as F

    return df.withColumn(FILE, F.lit(entry.file_path)).withColumn(
        INGESTED_AT, F.lit(entry.assigned_at).cast("timestamp")
    )


def _read_path(file_path: Column) -> Column:
    """`_metadata.file_path` as the path it was read from: Spark gives a URI (`file:/tmp/a%20b`,
    Databricks `dbfs:/Volumes/...`); object-store URIs (s3://...) differ only by escapes.
    `+` is kept ('url_decode' would make it a space)."""
    from pyspark.sql import functions as F

    decoded = F.url_decode(F.replace(file_path, F.lit("+"), F.lit("%2B")))
    return F.regexp_replace(decoded, r"^(file|dbfs):/*", "/").alias("_read")


def _lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """The files' lines as raw records (JSON or text)."""
    from pyspark.sql import functions as F

    lines = spark.read.text(paths).withColumnRenamed("value", RAW)
    return lines.filter(F.trim(F.col(RAW)) != "")  # blank lines hold no record


def _read_file(spark: SparkSession, path: str, read: LandingRead) -> DataFrame:
    reader = spark.read
    if read.fmt == "csv":
        options = {**read.options.csv, "header": str(read.options.header).lower()}
        if read.options.header:
            return reader.options(**options).csv(path)
        return reader.options(**options).schema(text_schema(read.columns)).csv(path)
    return reader.format(read.fmt).load(path)
