"""Rows set aside on load (malformed, null key) and rows dropped by rules share one quarantine
table. Its data columns are kept as text, so rows of any type (raw landing text or typed
silver rows) fit one schema; framework columns keep their types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.framework_columns import (
    INGESTED_AT,
    INGESTED_DATE,
    LINE,
    QUARANTINED_AT,
    SILVER_CREATED,
    SILVER_MODIFIED,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

TYPED = frozenset(
    {INGESTED_DATE, INGESTED_AT, QUARANTINED_AT, SILVER_CREATED, SILVER_MODIFIED, LINE}
)


def as_text(df: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    def text(name: str, kind: str) -> Any:
        if name in TYPED:
            return F.col(name)
        nested = kind.startswith(("struct", "array", "map"))  # as JSON, not Spark's {a, b}
        return (F.to_json(F.col(name)) if nested else F.col(name).cast("string")).alias(name)

    return df.select(*[text(n, k) for n, k in df.dtypes])


def combine_rejected(rejected: DataFrame | None, dropped: DataFrame | None) -> DataFrame | None:
    if dropped is None:
        return rejected
    if rejected is None:
        return as_text(dropped)
    return as_text(rejected).unionByName(as_text(dropped), allowMissingColumns=True)
