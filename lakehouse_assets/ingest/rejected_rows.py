"""The rows of a landing parse that go to quarantine, each with its source line: those the
engine judged bad, and those preparation kept from the engine (ingest/prepare.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.framework_columns import INGESTED_AT, LINE, RAW
from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.ingest.landing_read import FILE, REASON, LandingRead
from lakehouse_assets.ingest.line_numbers import number_rows
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.ingest.prepare import Prepared

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Quarantined rows are numbered on the driver up to this many per partition; past it (a whole
# day that is wrong) they keep no line number, so one bad day cannot exhaust memory.
NUMBERED_ROWS = 100_000


def set_aside_rows(
    prepared: dict[str, Prepared], files: list[ManifestEntry], read: LandingRead
) -> list[dict[str, Any]]:
    """What preparation kept from the engine, as quarantine rows."""
    rows = []
    for entry in files:
        for item in prepared[entry.file_path].set_aside:
            rows.append(
                {
                    **{c.name: None for c in read.columns},
                    RAW: item.raw,
                    FILE: entry.file_path,
                    INGESTED_AT: entry.assigned_at,
                    REASON: item.reason,
                    LINE: item.line,
                }
            )
    return rows


def numbered_rejects(
    spark: SparkSession,
    judged: DataFrame | None,
    set_aside: list[dict[str, Any]],
    prepared: dict[str, Prepared],
    read: LandingRead,
) -> tuple[DataFrame, int]:
    """The rejected rows with their line numbers, and how many there are."""
    from pyspark.sql import functions as F

    columns = [*[c.name for c in read.columns], RAW, FILE, INGESTED_AT, REASON]
    schema = (
        ", ".join(f"{quote(c)} STRING" for c in columns[:-2])
        + f", {INGESTED_AT} TIMESTAMP, {REASON} STRING, {LINE} INT"
    )
    rejected = None if judged is None else judged.filter(F.col(REASON) != "").select(*columns)
    found = (
        []
        if rejected is None
        else [r.asDict() for r in rejected.limit(NUMBERED_ROWS + 1).collect()]
    )
    if rejected is not None and len(found) > NUMBERED_ROWS:
        # A whole day gone wrong: counted, kept lazy, unnumbered.
        lazy = rejected.withColumn(LINE, F.lit(None).cast("int"))
        local = spark.createDataFrame(
            [tuple(r[c] for c in [*columns, LINE]) for r in set_aside], schema
        )
        return lazy.unionByName(local), rejected.count() + len(set_aside)
    lines = number_rows(
        found, prepared, read.fmt, read.options, RAW, FILE, [c.name for c in read.columns]
    )
    for row, line in zip(found, lines, strict=True):
        row[LINE] = line
    rows = [tuple(r[c] for c in [*columns, LINE]) for r in set_aside + found]
    return spark.createDataFrame(rows, schema), len(rows)
