"""Landing records -> typed bronze rows, and the rows that cannot be loaded, with the reason.

Each landing file is first checked (ingest/prepare.py), then read with the engine's reader
(ingest/read_landing.py) and judged value by value against the contract
(ingest/judge_records.py): a row that cannot be loaded is never nulled or dropped, it goes to
quarantine with its raw text, reason and line (ingest/rejected_rows.py).

Framework columns (`_ingested_at`, `_source_file`; `_ingested_date` in assets/bronze.py) are
filled here with the type the contract declares for them, never read from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.framework_columns import INGESTED_AT, RAW, RESCUED_DATA
from lakehouse_assets.contracts.models import Column, IngestionContract
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.landing_read import (
    FILE,
    REASON,
    RESCUED,
    LandingRead,
    data_columns,
    quote_any,
    typed_column,
)
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.ingest.prepare import prepare
from lakehouse_assets.ingest.read_landing import judged_files
from lakehouse_assets.ingest.rejected_rows import numbered_rejects, set_aside_rows
from lakehouse_assets.ingest.remote_files import on_this_host, read_where_it_lies
from lakehouse_assets.io.scratch import computed_once
from lakehouse_assets.tables.physical import FrameworkColumn

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame, SparkSession


@dataclass
class ParsedLanding:
    rows: DataFrame  # data columns typed, plus the framework columns as declared
    rejected: DataFrame  # data columns as text, _raw, _source_file, _ingested_at, reason, _line
    rejected_rows: int


def parse_landing(
    spark: SparkSession,
    files: list[ManifestEntry],
    ingestion: IngestionContract,
    columns: list[Column],
    framework: list[FrameworkColumn],
    capabilities: Capabilities,
    staging: Path,
    scratch: Path | None = None,
) -> ParsedLanding:
    """`columns`: the table contract's columns; `framework`: the framework columns the table
    has (declared or added), whose declared types the fill honours. With `scratch`, the judged
    records are computed once into it: the quarantine, the rules and the write read that copy
    instead of parsing the landing files again (the caller removes it after the write)."""
    from pyspark.sql import functions as F

    read = LandingRead(
        data_columns(columns),
        {f.column.name: f for f in framework},
        ingestion.source.read_options(),
        ingestion.source.format,
    )
    prepared = {
        e.file_path: prepare(e, read.fmt, read.options, staging)
        if not capabilities.lists_files_in_session or on_this_host(e.file_path)
        else read_where_it_lies(e.file_path, read.fmt, read.options)
        for e in files
    }
    units = judged_files(spark, prepared, files, read, capabilities)
    judged = reduce(lambda a, b: a.unionByName(b), units) if units else None
    if judged is not None and scratch is not None:
        judged = _staged(judged, read, scratch)
    rejected, count = numbered_rejects(
        spark, judged, set_aside_rows(prepared, files, read), prepared, read
    )
    if judged is None:
        good = rejected.limit(0).select(
            *[F.lit(None).cast(c.type).alias(c.name) for c in read.columns], *_framework_empty(read)
        )
    else:
        good = judged.filter(F.col(REASON) == "").select(
            *[F.col(typed_column(i)).alias(c.name) for i, c in enumerate(read.columns)],
            *_framework(read),
        )
    return ParsedLanding(good, rejected, count)


def _staged(judged: DataFrame, read: LandingRead, scratch: Path) -> DataFrame:
    """The one parse of the landing files, written as Parquet and read back. A row's raw text
    and its values as text are kept only where it goes to quarantine (a loaded row needs
    neither, and a binary value's text need not be valid UTF-8)."""
    from pyspark.sql import functions as F

    bad = F.col(REASON) != ""
    for name in (RAW, *(c.name for c in read.columns)):
        judged = judged.withColumn(name, F.when(bad, F.col(quote_any(name))))
    return computed_once(judged, scratch, "judged")


def _framework(read: LandingRead) -> list[SparkColumn]:
    """The framework columns the table has, each cast to its declared type; one the ingestion's
    metadata turns off stays NULL."""
    from pyspark.sql import functions as F

    out = []
    for name, source in ((FILE, FILE), (INGESTED_AT, INGESTED_AT), (RESCUED_DATA, RESCUED)):
        framework = read.framework.get(name)
        if framework is not None:
            value = F.col(source) if framework.filled else F.lit(None)
            out.append(value.cast(framework.column.type).alias(name))
    return out


def _framework_empty(read: LandingRead) -> list[SparkColumn]:
    """The same columns as _framework, for a partition with nothing the engine could read."""
    from pyspark.sql import functions as F

    return [
        F.lit(None).cast(f.column.type).alias(name)
        for name, f in read.framework.items()
        if name in (FILE, INGESTED_AT, RESCUED_DATA)
    ]
