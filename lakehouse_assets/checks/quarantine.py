"""Rows set aside on load (malformed, null key) and rows dropped by rules share one quarantine
table. Its data columns are kept as text, so rows of any type (raw landing text or typed
silver rows) fit one schema; framework columns keep their types."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

TYPED = frozenset({"_ingested_date", "_ingested_at", "_quarantined_at", "_silver_created_at",
                   "_silver_modified_at"})


def as_text(df: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return df.select(*[F.col(c) if c in TYPED else F.col(c).cast("string").alias(c)
                       for c in df.columns])


def combine_rejected(rejected: DataFrame | None, dropped: DataFrame | None) -> DataFrame | None:
    if dropped is None:
        return rejected
    if rejected is None:
        return as_text(dropped)
    return as_text(rejected).unionByName(as_text(dropped), allowMissingColumns=True)
