"""Bronze from a Kafka topic: a partition's recorded offset ranges -> typed rows.

The ranges are read by Spark's Kafka source where the engine has one (Capabilities.kafka_source:
classic Spark with spark-sql-kafka), else on this host with confluent-kafka; both give the same
working columns, judged by one function (ingest/kafka_parse.py), so the same rows.

A run of day P reads exactly the ranges the manifest holds for P (ingest/kafka_ranges.py), so a
re-run reads the same offsets and writes the same rows. A run of today's partition first records
the ranges up to the current high watermarks, as a run records today's new landing files.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.kafka_source import KafkaSettings
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.assignment import Manifest
from lakehouse_assets.ingest.kafka_client import read_ranges, watermarks
from lakehouse_assets.ingest.kafka_parse import local_messages, parse_messages
from lakehouse_assets.ingest.kafka_ranges import ranges_of, record_new_ranges, today
from lakehouse_assets.ingest.kafka_spark import missing_source, spark_messages
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.tables.physical import INGESTED_DATE, bronze_framework, physical_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def contract_label(project: Project, asset: TableAsset) -> str:
    """The ingestion contract's file, as errors name it."""
    file = asset.producer_file
    return str(file.relative_to(project.root) if file.is_relative_to(project.root) else file)


def kafka_entries(
    manifest: Manifest, project: Project, asset: TableAsset, partition: str, by: str
) -> list[ManifestEntry]:
    """The partition's ranges; today's partition first records the new ones."""
    assert asset.ingestion is not None and asset.ingestion.source.kafka is not None
    settings, where = asset.ingestion.source.kafka, contract_label(project, asset)
    if partition == today():
        record_new_ranges(
            manifest,
            asset.key_string,
            settings,
            lambda: watermarks(settings, where),
            by,
            partition,
        )
    return manifest.files_for(asset.key_string, partition)


def kafka_bronze_batch(
    spark: SparkSession,
    capabilities: Capabilities,
    project: Project,
    asset: TableAsset,
    manifest: Manifest,
    partitions: list[str],
    run_id: str,
    select: Callable[[str, list[ManifestEntry]], list[ManifestEntry]] | None = None,
) -> TableBatch:
    """`select`: as bronze_batch's (an available-now run reads only the ranges not ingested)."""
    from pyspark.sql import functions as F

    ingestion = asset.ingestion
    assert ingestion is not None and ingestion.source.kafka is not None
    where = contract_label(project, asset)
    framework = bronze_framework(asset)
    goods, rejects, paths = [], [], []
    rejected_rows = messages = 0
    for partition in partitions:
        entries = kafka_entries(manifest, project, asset, partition, run_id)
        if select is not None:
            entries = select(partition, entries)
        ranges = ranges_of(entries)
        if not ranges:
            continue
        paths += [r.path for r in ranges]
        read, count = kafka_messages(spark, capabilities, ingestion.source.kafka, where, entries)
        messages += count or 0
        parsed = parse_messages(
            read, ingestion, list(asset.contract.columns), framework, capabilities
        )
        day = F.lit(partition).cast("date")
        goods.append(parsed.rows.withColumn(INGESTED_DATE, day))
        rejects.append(parsed.rejected.withColumn(INGESTED_DATE, day))
        rejected_rows += parsed.rejected_rows
    facts: dict[str, Any] = {
        "files_read": len(paths),
        "kafka_ranges": "\n".join(paths[:50]),
        "kafka_reader": "spark" if capabilities.kafka_source else "confluent-kafka",
    }
    if not capabilities.kafka_source:
        facts["kafka_messages"] = messages
    if not goods:
        schema = ", ".join(f"{quote(c.name)} {c.type}" for c in physical_columns(asset))
        return TableBatch(spark.createDataFrame([], schema), None, partitions, facts)
    data = reduce(lambda a, b: a.unionByName(b), goods)
    rejected = reduce(lambda a, b: a.unionByName(b), rejects)
    return TableBatch(data, rejected, partitions, facts, rejected_rows=rejected_rows)


def kafka_messages(
    spark: SparkSession,
    capabilities: Capabilities,
    settings: KafkaSettings,
    where: str,
    entries: list[ManifestEntry],
) -> tuple[DataFrame, int | None]:
    """The messages of these manifest entries' ranges (any entries: a day's, or only those not
    ingested yet), as the judge takes them (ingest/kafka_parse.py), and how many there are when
    read on this host (None: Spark reads them lazily)."""
    if capabilities.kafka_source:
        return _read_in_spark(spark, settings, where, entries), None
    records = read_ranges(settings, where, ranges_of(entries))
    stamps = {e.file_path: e.assigned_at for e in entries}
    return local_messages(spark, records, stamps), len(records)


def _read_in_spark(
    spark: SparkSession, settings: KafkaSettings, where: str, entries: list[ManifestEntry]
) -> DataFrame:
    """Spark's Kafka source (Capabilities.kafka_source); a Spark without it says the fix."""
    try:
        return spark_messages(spark, settings, where, entries)
    except Exception as exc:
        missing = missing_source(exc, where)
        if missing is None:
            raise
        raise missing from None
