"""Landing records -> typed bronze rows, and the rows that cannot be loaded, with the reason.

Every value is read as text first and then cast with try_cast, so a corrupt JSON line or a value
that is not of the contract's type is never silently nulled or dropped: it goes to quarantine
with its raw text and the reason. (Sail also fails a whole query on some typed JSON reads.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import Column, IngestionContract
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.manifest import ManifestEntry

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame, SparkSession

RAW, FILE, INGESTED_AT, REASON = "_raw", "_source_file", "_ingested_at", "_quarantine_reason"


@dataclass
class ParsedLanding:
    rows: DataFrame  # contract columns typed, plus _source_file and _ingested_at
    rejected: DataFrame  # contract columns as text, _raw, _source_file, _ingested_at, reason


def _text_schema(columns: list[Column]) -> str:
    return ", ".join(f"{quote(c.name)} STRING" for c in columns)


def _read_files(
    spark: SparkSession, files: list[ManifestEntry], ingestion: IngestionContract,
    columns: list[Column], capabilities: Capabilities,
) -> DataFrame:
    """One row per record with every column as text, plus _raw, _source_file, _ingested_at."""
    from pyspark.sql import functions as F

    fmt, options = ingestion.source.format, dict(ingestion.source.options)

    def read(paths: list[str]) -> DataFrame:
        if fmt == "csv":
            df = spark.read.options(**{"header": "true", **options}).schema(
                _text_schema(columns)).csv(paths)
            return df.withColumn(RAW, F.to_json(F.struct(*[F.col(c.name) for c in columns])))
        if fmt == "parquet":
            df = spark.read.options(**options).parquet(*paths)
            cols = [F.col(c.name).cast("string").alias(c.name) if c.name in df.columns
                    else F.lit(None).cast("string").alias(c.name) for c in columns]
            return df.select(*cols).withColumn(RAW, F.to_json(F.struct(*cols)))
        lines = spark.read.text(paths).withColumnRenamed("value", RAW)
        lines = lines.filter(F.trim(F.col(RAW)) != "")  # blank lines hold no record
        parsed = F.from_json(F.col(RAW), _text_schema(columns))
        return lines.select(F.col(RAW), parsed.alias("_j")).select(
            RAW, *[F.col("_j").getField(c.name).alias(c.name) for c in columns])

    if capabilities.file_metadata_column:
        stamps = spark.createDataFrame(
            [(e.file_path, e.assigned_at) for e in files],
            f"{FILE} STRING, {INGESTED_AT} TIMESTAMP")
        both = read([e.file_path for e in files]).select(
            "*", F.col("_metadata.file_path").alias(FILE))
        return both.join(F.broadcast(stamps), FILE, "left")
    # No file metadata column (Sail): read each file on its own and attach its path.
    parts = [
        read([e.file_path]).withColumn(FILE, F.lit(e.file_path)).withColumn(
            INGESTED_AT, F.lit(e.assigned_at).cast("timestamp"))
        for e in files
    ]
    return reduce(lambda a, b: a.unionByName(b), parts)


def _failures(columns: list[Column], fmt: str) -> list[SparkColumn]:
    from pyspark.sql import functions as F

    checks = []
    if fmt in ("json", "text"):
        checks.append(F.when(F.from_json(F.col(RAW), "map<string,string>").isNull(),
                             F.lit("malformed JSON record")))
    for c in columns:
        value = F.col(c.name)
        if c.type != "STRING":
            checks.append(F.when(value.isNotNull() & F.expr(f"try_cast({quote(c.name)} AS "
                                                            f"{c.type})").isNull(),
                                 F.concat(F.lit(f"{c.name}: '"), value,
                                          F.lit(f"' is not {c.type}"))))
        if not c.nullable:
            checks.append(F.when(value.isNull(), F.lit(f"{c.name}: null in a NOT NULL column")))
    return checks


def parse_landing(
    spark: SparkSession, files: list[ManifestEntry], ingestion: IngestionContract,
    columns: list[Column], capabilities: Capabilities,
) -> ParsedLanding:
    from pyspark.sql import functions as F

    text = _read_files(spark, files, ingestion, columns, capabilities)
    checks = _failures(columns, ingestion.source.format)
    reason = F.concat_ws("; ", *checks) if checks else F.lit("")  # skips nulls
    judged = text.withColumn(REASON, reason)
    good = judged.filter(F.col(REASON) == "").select(
        *[F.expr(f"try_cast({quote(c.name)} AS {c.type})").alias(c.name) for c in columns],
        FILE, INGESTED_AT)
    rejected = judged.filter(F.col(REASON) != "")
    return ParsedLanding(good, rejected)

