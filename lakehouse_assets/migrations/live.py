"""What a live Delta table looks like now: columns (type, nullability, comment), partitioning,
comment and properties. delta-rs reads local paths; Spark reads catalog tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lakehouse_assets.engine.delta_types import contract_type
from lakehouse_assets.storage.delta import delta_table, is_delta_table
from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class LiveColumn:
    name: str
    type: str  # normalised contract type, e.g. BIGINT, DECIMAL(12,2)
    nullable: bool
    comment: str | None = None


@dataclass
class LiveTable:
    columns: list[LiveColumn]
    partitions: list[str]
    comment: str | None = None
    properties: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> LiveColumn | None:
        return next((c for c in self.columns if c.name == name), None)


def read_live(spark: SparkSession | None, location: TableLocation) -> LiveTable | None:
    """None when the table does not exist yet (it will be created from its contract)."""
    if location.path is not None and location.by_path:
        if not is_delta_table(location.path):
            return None
        table = delta_table(location.path)
        meta = table.metadata()
        cols = [
            LiveColumn(f.name, contract_type(f.type), f.nullable, (f.metadata or {}).get("comment"))
            for f in table.schema().fields
        ]
        return LiveTable(
            cols, list(meta.partition_columns), meta.description, dict(meta.configuration)
        )
    assert spark is not None and location.name is not None
    if not spark.catalog.tableExists(location.name):
        return None
    schema = spark.table(location.sql_ref).schema
    cols = [
        LiveColumn(
            f.name, contract_type(f.dataType.simpleString()), f.nullable, f.metadata.get("comment")
        )
        for f in schema.fields
    ]
    detail = spark.sql(f"DESCRIBE DETAIL {location.sql_ref}").collect()[0].asDict()
    return LiveTable(
        cols,
        list(detail.get("partitionColumns") or []),
        detail.get("description"),
        {str(k): str(v) for k, v in (detail.get("properties") or {}).items()},
    )
