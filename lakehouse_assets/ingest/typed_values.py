"""One landing value -> the contract column's type, and whether that failed.

A value that is present but not of the type is never nulled: `failed` marks it, and the row goes
to quarantine with the reason. Text is parsed with Spark's rules (`try_cast`), dates and
timestamps with the source's `dateFormat` / `timestampFormat` when given, BINARY from base64
(as Spark's JSON reader does), nested types from their JSON text. For nested values a cast
that fails on one leaf only nulls that leaf, so the JSON skeleton (every string collapsed to
`"`) of the value before and after the cast is compared: any leaf that was lost changes it.

Dates and timestamps outside years 0001-9999 fail too: the engine accepts `10000-01-01`, but a
table holding it cannot be read by delta-rs or pyarrow (`Invalid isoformat string`). Nested
leaves need no check: the engine's cast into a nested type already nulls such a leaf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.models import Column
from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.contracts.types import as_text_type, is_nested, normalize_type

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn

_STRING_LITERAL = r'"(?:[^"\\]|\\.)*"'
_DATETIMES = ("DATE", "TIMESTAMP", "TIMESTAMP_NTZ")


@dataclass(frozen=True)
class ParsedValue:
    typed: SparkColumn
    failed: SparkColumn  # the source held a value that is not of the column's type
    text: SparkColumn  # the value as text, for quarantine


def _skeleton(value: SparkColumn) -> SparkColumn:
    from pyspark.sql import functions as F

    return F.regexp_replace(F.to_json(value), _STRING_LITERAL, '"')


def _out_of_range(typed: SparkColumn, spark_type: str) -> SparkColumn:
    """A date or timestamp whose year is outside 0001-9999 (years in UTC: the session's zone)."""
    from pyspark.sql import functions as F

    if spark_type not in _DATETIMES:
        return F.lit(False)
    year = F.year(typed)
    return typed.isNotNull() & ((year < 1) | (year > 9999))


def _from_text(value: SparkColumn, spark_type: str, options: ReadOptions) -> SparkColumn:
    from pyspark.sql import functions as F

    if spark_type == "STRING":
        return value
    if spark_type == "DATE" and options.date_format:
        return F.try_to_timestamp(value, F.lit(options.date_format)).cast("date")
    if spark_type in ("TIMESTAMP", "TIMESTAMP_NTZ") and options.timestamp_format:
        return F.try_to_timestamp(value, F.lit(options.timestamp_format)).cast(spark_type)
    if spark_type == "BINARY":
        return F.try_to_binary(value, F.lit("base64"))
    return value.try_cast(spark_type)


def _nested(
    texty: SparkColumn, spark_type: str, value: SparkColumn, text: SparkColumn
) -> ParsedValue:
    typed = texty.try_cast(spark_type)
    lost = _skeleton(texty) != _skeleton(typed.try_cast(as_text_type(spark_type)))
    failed = value.isNotNull() & (texty.isNull() | lost)
    return ParsedValue(typed, failed, text)


def parse_value(
    value: SparkColumn, column: Column, options: ReadOptions, native: str | None = None
) -> ParsedValue:
    """`native`: the value's engine type when the file format is typed (parquet, avro, orc)."""
    from pyspark.sql import functions as F

    target = column.type
    native_type = _contract_type(native) if native else "STRING"
    if native_type == target:
        return ParsedValue(value, _out_of_range(value, target), _as_text(value, target))
    if is_nested(target):
        if native_type == "STRING":  # the value's own JSON text
            return _nested(F.from_json(value, as_text_type(target)), target, value, value)
        texty = value.try_cast(as_text_type(target))
        return _nested(texty, target, value, _as_text(value, native_type or target))
    typed = (
        _from_text(value, target, options) if native_type == "STRING" else value.try_cast(target)
    )
    failed = value.isNotNull() & (typed.isNull() | _out_of_range(typed, target))
    return ParsedValue(typed, failed, _as_text(value, native_type))


def _as_text(value: SparkColumn, spark_type: str | None) -> SparkColumn:
    from pyspark.sql import functions as F

    if spark_type and is_nested(spark_type):
        return F.to_json(value)
    if spark_type == "BINARY":  # as the text form BINARY is read from (bytes need not be UTF-8)
        return F.base64(value)
    return value.cast("string")


def _contract_type(engine_type: str) -> str | None:
    try:
        return normalize_type(engine_type)
    except ValueError:
        return None  # an engine type contracts cannot declare: cast and judged like any other
