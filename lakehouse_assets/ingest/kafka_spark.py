"""A bronze day's Kafka offset ranges read by Spark's own Kafka source (spark-sql-kafka-0-10),
where the engine has it (Capabilities.kafka_source): a batch read per set of ranges with
`assign`, `startingOffsets` and `endingOffsets` JSON, the executors fetching the messages.

It yields the same working columns as the read on the Dagster host (ingest/kafka_parse.py,
MESSAGE_COLUMNS), so both are judged by one function and give the same bronze rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.framework_columns import INGESTED_AT, RAW
from lakehouse_assets.contracts.kafka_source import KafkaSettings
from lakehouse_assets.ingest.kafka_client import TIMEOUT_S, KafkaSourceError, secrets
from lakehouse_assets.ingest.kafka_parse import OFFSET, PARTITION, TOPIC, TS, UTF8
from lakehouse_assets.ingest.kafka_ranges import OffsetRange, ranges_of
from lakehouse_assets.ingest.landing_read import FILE
from lakehouse_assets.ingest.manifest import ManifestEntry

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}


def spans(ranges: list[OffsetRange]) -> list[OffsetRange]:
    """Ranges of one topic-partition that touch merged into one (a day's ranges follow each
    other: the sensor cuts a new one at every tick)."""
    out: list[OffsetRange] = []
    for r in sorted(ranges):
        last = out[-1] if out else None
        if last and (last.topic, last.partition, last.end) == (r.topic, r.partition, r.start):
            out[-1] = OffsetRange(r.topic, r.partition, last.start, r.end)
        else:
            out.append(r)
    return out


def rounds(ranges: list[OffsetRange]) -> list[list[OffsetRange]]:
    """Groups holding at most one range per topic-partition: one Spark read each."""
    by_partition: dict[tuple[str, int], list[OffsetRange]] = defaultdict(list)
    for r in spans(ranges):
        by_partition[(r.topic, r.partition)].append(r)
    depth = max((len(v) for v in by_partition.values()), default=0)
    return [[v[i] for v in by_partition.values() if i < len(v)] for i in range(depth)]


def spark_options(settings: KafkaSettings, where: str) -> dict[str, str]:
    """Spark's `kafka.*` options: bounded requests, and DKOps' SASL settings."""
    options = {
        "kafka.bootstrap.servers": settings.bootstrap_servers,
        "kafka.request.timeout.ms": str(int(TIMEOUT_S * 1000)),
        "kafka.default.api.timeout.ms": str(int(TIMEOUT_S * 1000)),
        "failOnDataLoss": "true",  # a range retention removed fails, as on the host
    }
    credentials = secrets(settings, where)
    if credentials is not None:
        user, password = credentials
        mechanism = settings.sasl_mechanism or "PLAIN"
        module = _LOGIN_MODULES.get(mechanism.upper(), _LOGIN_MODULES["PLAIN"])
        options["kafka.security.protocol"] = settings.security_protocol or "SASL_SSL"
        options["kafka.sasl.mechanism"] = mechanism
        options["kafka.sasl.jaas.config"] = (
            f'{module} required username="{_jaas(user)}" password="{_jaas(password)}";'
        )
    elif settings.security_protocol:
        options["kafka.security.protocol"] = settings.security_protocol
    return options


def _jaas(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def spark_messages(
    spark: SparkSession, settings: KafkaSettings, where: str, entries: list[ManifestEntry]
) -> DataFrame:
    """The messages of the entries' ranges, each tagged with its range and recording time."""
    from pyspark.sql import functions as F

    ranges = ranges_of(entries)
    options = spark_options(settings, where)
    reads = []
    for group in rounds(ranges):
        parts: dict[str, list[int]] = defaultdict(list)
        starting: dict[str, dict[str, int]] = defaultdict(dict)
        ending: dict[str, dict[str, int]] = defaultdict(dict)
        for r in group:
            parts[r.topic].append(r.partition)
            starting[r.topic][str(r.partition)] = r.start
            ending[r.topic][str(r.partition)] = r.end
        reads.append(
            spark.read.format("kafka")
            .options(**options)
            .option("assign", json.dumps(parts))
            .option("startingOffsets", json.dumps(starting))
            .option("endingOffsets", json.dumps(ending))
            .load()
        )
    stamps = {e.file_path: e.assigned_at for e in entries}
    bounds = spark.createDataFrame(
        [(r.topic, r.partition, r.start, r.end, r.path, stamps[r.path]) for r in ranges],
        f"_r_topic STRING, _r_partition INT, _r_start BIGINT, _r_end BIGINT, {FILE} STRING, "
        f"{INGESTED_AT} TIMESTAMP",
    )
    messages = reads[0]
    for more in reads[1:]:
        messages = messages.unionByName(more)
    tagged = messages.join(
        F.broadcast(bounds),
        (F.col("topic") == F.col("_r_topic"))
        & (F.col("partition") == F.col("_r_partition"))
        & (F.col("offset") >= F.col("_r_start"))
        & (F.col("offset") < F.col("_r_end")),
    )
    text = F.col("value").cast("string")
    valid = F.is_valid_utf8(text)
    return tagged.select(
        F.when(valid, text).otherwise(F.make_valid_utf8(text)).alias(RAW),
        F.col(FILE),
        F.col(INGESTED_AT),
        F.col("topic").alias(TOPIC),
        F.col("partition").cast("int").alias(PARTITION),
        F.col("offset").cast("bigint").alias(OFFSET),
        F.col("timestamp").alias(TS),
        F.coalesce(valid, F.lit(True)).alias(UTF8),
    )


def missing_source(error: Exception, where: str) -> KafkaSourceError | None:
    """Spark without spark-sql-kafka on its class path, as an error with the fix."""
    if "Failed to find data source: kafka" not in str(error) and "DATA_SOURCE_NOT_FOUND" not in (
        str(error)
    ):
        return None
    return KafkaSourceError(
        f"{where}: source.format kafka: this Spark has no Kafka source (spark-sql-kafka-0-10): "
        "run .ci/fetch_jars.sh and point LAKEHOUSE_SPARK_JARS at its folder (the Connect "
        "server's --jars likewise)"
    )
