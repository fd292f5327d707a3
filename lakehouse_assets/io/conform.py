"""A batch in its table's column order and types: the one definition every writer uses.

A missing column is filled by its contract default, or by `fill` (SQL, e.g. the silver
timestamps of a direct write), or left out when a merge fills it (`merged`). Any other
missing column is an error naming it, unless `nullable_missing="null"` (the TableWriter API:
a DataFrame may omit nullable columns, which are then NULL; NOT NULL ones stay an error).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from lakehouse_assets.contracts.models import Column

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame


def conform(
    df: DataFrame,
    columns: list[Column],
    label: str,
    *,
    merged: frozenset[str] = frozenset(),
    fill: Mapping[str, str] | None = None,
    nullable_missing: Literal["error", "null"] = "error",
) -> DataFrame:
    from pyspark.sql import functions as F

    out: list[SparkColumn] = []
    missing: list[str] = []
    for col in columns:
        if col.name in df.columns:
            out.append(F.col(col.name).cast(col.type).alias(col.name))
        elif col.default_sql is not None:  # filled on write: the engine may lack DDL defaults
            out.append(F.expr(col.default_sql).cast(col.type).alias(col.name))
        elif fill and col.name in fill:
            out.append(F.expr(fill[col.name]).cast(col.type).alias(col.name))
        elif col.name in merged:
            continue
        elif nullable_missing == "null" and col.nullable:
            out.append(F.lit(None).cast(col.type).alias(col.name))
        else:
            missing.append(col.name)
    if missing:
        what = "NOT NULL column" if nullable_missing == "null" else "contract column"
        names = ", ".join(repr(m) for m in missing)
        raise ValueError(
            f"{label}: the batch lacks the {what}{'s' if len(missing) > 1 else ''} "
            f"{names} (it has {df.columns}); fix the SQL or DataFrame, or the "
            "contract"
        )
    return df.select(*out)
