"""The columns a table really has: its contract's, plus the ones each layer adds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.framework_columns import (
    INGESTED_AT,
    INGESTED_DATE,
    RESCUED_DATA,
    SILVER_CREATED,
    SILVER_MODIFIED,
    SOURCE_FILE,
)
from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.kafka_source import (
    KAFKA_COLUMNS,
    KAFKA_OFFSET,
    KAFKA_PARTITION,
    KAFKA_TIMESTAMP,
    KAFKA_TOPIC,
    KAFKA_TS,
    RAW_VALUE,
)
from lakehouse_assets.contracts.models import Column
from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.strategies.registry import strategy_for

if TYPE_CHECKING:
    import pyarrow.compute as pc

__all__ = [
    "INGESTED_AT",
    "INGESTED_DATE",
    "RESCUED_DATA",
    "SILVER_CREATED",
    "SILVER_MODIFIED",
    "SOURCE_FILE",
]


@dataclass(frozen=True)
class FrameworkColumn:
    column: Column  # as declared in the contract, or as the framework adds it
    filled: bool  # False: declared, but the ingestion's metadata turns it off: stays NULL


def bronze_framework(asset: TableAsset) -> list[FrameworkColumn]:
    """The ingestion columns a bronze table has: declared ones keep their type, nullability
    and comment; undeclared ones are added when the ingestion's metadata asks for them."""
    assert asset.ingestion is not None
    meta = asset.ingestion.metadata
    wanted = [
        (meta.add_ingested_at, INGESTED_AT, "TIMESTAMP", "when the row was ingested"),
        (True, INGESTED_DATE, "DATE", "ingestion partition (daily)"),
        (meta.add_source_file, SOURCE_FILE, "STRING", "landing file the row came from"),
        (
            meta.add_rescued_data,
            RESCUED_DATA,
            "STRING",
            "landing fields the contract does not declare, as JSON",
        ),
    ]
    if asset.ingestion.source.format == "kafka":
        wanted += kafka_framework(asset)
    out = []
    for on, name, kind, comment in wanted:
        declared = asset.contract.column(name)
        if declared is not None:
            out.append(FrameworkColumn(declared, on))
        elif on:
            column = Column(name=name, type=kind, nullable=name != INGESTED_DATE, comment=comment)
            out.append(FrameworkColumn(column, True))
    return out


def kafka_framework(asset: TableAsset) -> list[tuple[bool, str, str, str]]:
    """The Kafka metadata columns (DKOps' add_kafka_metadata); the message time goes to
    `_kafka_ts` instead of `_kafka_timestamp` when the contract declares that one (DKOps' name)."""
    assert asset.ingestion is not None
    on = asset.ingestion.metadata.add_kafka_metadata
    declared_ts = asset.contract.column(KAFKA_TS) is not None
    stamp = KAFKA_TS if declared_ts and asset.contract.column(KAFKA_TIMESTAMP) is None else None
    comments = {
        KAFKA_TOPIC: "Kafka topic of the message",
        KAFKA_PARTITION: "Kafka partition of the message",
        KAFKA_OFFSET: "offset of the message in its partition",
        stamp or KAFKA_TIMESTAMP: "the message's Kafka timestamp",
        RAW_VALUE: "the message value as text",
    }
    return [(on, name, KAFKA_COLUMNS[name], comment) for name, comment in comments.items()]


def added_columns(asset: TableAsset) -> list[Column]:
    """Columns the framework maintains that the contract need not declare."""
    extra: list[Column] = []
    if asset.ingestion is not None:
        extra = [f.column for f in bronze_framework(asset)]
    elif asset.promotion is not None and asset.promotion.metadata.add_silver_timestamps:
        extra = [
            Column(name=SILVER_CREATED, type="TIMESTAMP", comment="first written to silver"),
            Column(name=SILVER_MODIFIED, type="TIMESTAMP", comment="last changed in silver"),
        ]
    declared = set(asset.contract.column_names)
    return [c for c in extra if c.name not in declared]


def managed_columns(asset: TableAsset) -> set[str]:
    """Silver columns the framework fills (timestamps, the strategy's own) rather than copies
    from the source."""
    promo = asset.promotion
    if promo is None:
        return set()
    filled = strategy_for(promo.strategy).filled_columns(promo, asset.contract, None)
    return {SILVER_CREATED, SILVER_MODIFIED, *filled}


def data_columns(asset: TableAsset) -> list[str]:
    """The contract's columns a silver batch carries from its source, in contract order."""
    managed = managed_columns(asset)
    return [c for c in asset.contract.column_names if c not in managed]


def physical_columns(asset: TableAsset) -> list[Column]:
    return list(asset.contract.columns) + added_columns(asset)


def partition_columns(asset: TableAsset) -> list[str]:
    if asset.kind == "bronze":
        return [INGESTED_DATE] + [p for p in asset.contract.partitions if p != INGESTED_DATE]
    return list(asset.contract.partitions)


def partition_expression(column: str, partitions: Sequence[str]) -> pc.Expression:
    """Arrow's test of a row's partition: its column, as text, is one of the keys (a DATE's
    text is its ISO day, as daily keys are). For delta-rs reads and counts, and checks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.field(column).cast(pa.string()).isin(list(partitions))


def partition_filter(column: str, partitions: list[str]) -> str:
    """SQL predicate for a set of daily partitions; a contiguous range uses BETWEEN."""
    days = sorted({date.fromisoformat(p) for p in partitions})
    if len(days) == 1:
        return f"{quote(column)} = DATE'{days[0]}'"
    if (days[-1] - days[0]).days == len(days) - 1:
        return f"{quote(column)} BETWEEN DATE'{days[0]}' AND DATE'{days[-1]}'"
    return f"{quote(column)} IN (" + ", ".join(f"DATE'{d}'" for d in days) + ")"
