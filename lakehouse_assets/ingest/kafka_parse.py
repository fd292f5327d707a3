"""Kafka messages -> typed bronze rows and quarantined rows, judged as landing JSON is.

The messages (read by ingest/kafka_client.py) become an Arrow table, then a DataFrame whose
value text is judged record by record with the landing JSON judge (ingest/judge_records.py):
same typing, defaults, NOT NULL checks and `_rescued_data`. A value that is not a JSON object,
not UTF-8, NULL (a tombstone) or not of the contract's types goes to quarantine with its text
in `_raw_value` and a reason naming its topic, partition and offset.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pyarrow as pa

from lakehouse_assets.contracts.framework_columns import INGESTED_AT, LINE, RAW, RESCUED_DATA
from lakehouse_assets.contracts.kafka_source import (
    KAFKA_OFFSET,
    KAFKA_PARTITION,
    KAFKA_TIMESTAMP,
    KAFKA_TOPIC,
    KAFKA_TS,
    RAW_VALUE,
)
from lakehouse_assets.contracts.models import Column, IngestionContract
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.judge_records import judge_json
from lakehouse_assets.ingest.kafka_client import KafkaRecord
from lakehouse_assets.ingest.landing_read import FILE, REASON, RESCUED, LandingRead, typed_column
from lakehouse_assets.ingest.parse import ParsedLanding
from lakehouse_assets.tables.physical import FrameworkColumn

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame, SparkSession

# Working columns of a message next to its value text (RAW) and range (FILE).
TOPIC, PARTITION, OFFSET, TS = "_k_topic", "_k_partition", "_k_offset", "_k_ts"
UTF8 = "_k_utf8"  # the value is valid UTF-8 (or NULL)
_KEEP = (TOPIC, PARTITION, OFFSET, TS, UTF8)
# What either reader hands the judge: value text, range, its recording time, metadata.
MESSAGE_COLUMNS = (RAW, FILE, INGESTED_AT, *_KEEP)
# Each metadata column the table may have -> the working column that fills it.
_FILLS = {
    KAFKA_TOPIC: TOPIC,
    KAFKA_PARTITION: PARTITION,
    KAFKA_OFFSET: OFFSET,
    KAFKA_TIMESTAMP: TS,
    KAFKA_TS: TS,
    RAW_VALUE: RAW,
    FILE: FILE,
    INGESTED_AT: INGESTED_AT,
    RESCUED_DATA: RESCUED,
}


def _text(value: bytes | None) -> tuple[str | None, bool]:
    if value is None:
        return None, True
    try:
        return value.decode("utf-8"), True
    except UnicodeDecodeError:
        return value.decode("utf-8", "replace"), False


def messages_table(records: list[KafkaRecord], assigned_at: dict[str, datetime]) -> pa.Table:
    """One row per message: value text, range, when the range was recorded, metadata."""
    texts = [_text(r.value) for r in records]
    utc = pa.timestamp("us", tz="UTC")
    stamps = [
        None
        if r.timestamp_ms is None
        else datetime.fromtimestamp(r.timestamp_ms / 1000, tz=timezone.utc)
        for r in records
    ]
    return pa.table(
        {
            RAW: pa.array([t for t, _ in texts], pa.string()),
            FILE: pa.array([r.range_path for r in records], pa.string()),
            INGESTED_AT: pa.array([assigned_at[r.range_path] for r in records], utc),
            TOPIC: pa.array([r.topic for r in records], pa.string()),
            PARTITION: pa.array([r.partition for r in records], pa.int32()),
            OFFSET: pa.array([r.offset for r in records], pa.int64()),
            TS: pa.array(stamps, utc),
            UTF8: pa.array([ok for _, ok in texts], pa.bool_()),
        }
    )


def local_messages(
    spark: SparkSession, records: list[KafkaRecord], assigned_at: dict[str, datetime]
) -> DataFrame:
    """Messages read on this host (ingest/kafka_client.py) as the session's DataFrame."""
    return spark.createDataFrame(messages_table(records, assigned_at))


def parse_messages(
    messages: DataFrame,
    ingestion: IngestionContract,
    columns: list[Column],
    framework: list[FrameworkColumn],
    capabilities: Capabilities,
) -> ParsedLanding:
    """`messages`: MESSAGE_COLUMNS, read on this host (local_messages) or by Spark's Kafka
    source (ingest/kafka_spark.py); `columns`: the table contract's columns; `framework`: the
    framework columns it has (bronze_framework), the Kafka metadata among them."""
    from pyspark.sql import functions as F

    filled = {f.column.name: f for f in framework}
    read = LandingRead(
        [c for c in columns if c.name not in filled],
        filled,
        ingestion.source.read_options(),
        "json",
    )
    judged = judge_json(messages, read, capabilities.json_object_keys, keep=_KEEP)
    reason = F.when(~F.col(UTF8), F.lit("value is not UTF-8 text")).otherwise(
        F.when(F.col(RAW).isNull(), F.lit("NULL value (a tombstone)")).otherwise(F.col(REASON))
    )
    judged = judged.withColumn(REASON, reason)
    good = judged.filter(F.col(REASON) == "").select(
        *[F.col(typed_column(i)).alias(c.name) for i, c in enumerate(read.columns)],
        *_metadata(filled),
    )
    where = F.concat(
        F.lit("kafka topic "),
        F.col(TOPIC),
        F.lit(" partition "),
        F.col(PARTITION).cast("string"),
        F.lit(" offset "),
        F.col(OFFSET).cast("string"),
        F.lit(": "),
    )
    rejected = judged.filter(F.col(REASON) != "").select(
        *[F.col(c.name) for c in read.columns],
        F.col(RAW),
        F.col(FILE),
        F.col(INGESTED_AT),
        F.concat(where, F.col(REASON)).alias(REASON),
        F.lit(None).cast("int").alias(LINE),
        F.col(RAW).alias(RAW_VALUE),
        F.col(TOPIC).alias(KAFKA_TOPIC),
        F.col(PARTITION).alias(KAFKA_PARTITION),
        F.col(OFFSET).alias(KAFKA_OFFSET),
    )
    return ParsedLanding(good, rejected, rejected.count())


def _metadata(filled: dict[str, FrameworkColumn]) -> list[SparkColumn]:
    """The framework columns the table has, each cast to its declared type; one the ingestion's
    metadata turns off stays NULL (as ingest/parse.py fills landing rows)."""
    from pyspark.sql import functions as F

    out = []
    for name, framework in filled.items():
        source = _FILLS.get(name)
        if source is None:
            continue  # _ingested_date: set per partition by the asset
        value = F.col(source) if framework.filled else F.lit(None)
        out.append(value.cast(framework.column.type).alias(name))
    return out
