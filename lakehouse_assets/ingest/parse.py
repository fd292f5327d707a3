"""Landing records -> typed bronze rows, and the rows that cannot be loaded, with the reason.

Each file is read with Spark's reader and the source's options (Spark's names and meanings:
contracts/source_options.py), into the record's raw text plus one value per data column,
matched by name (JSON keys, the CSV header when `header` is true, parquet/avro/orc fields;
CSV without a header by position, as Spark does). Values are then typed per the contract
(ingest/typed_values.py): a corrupt record, a value not of the contract's type, or a null in a
NOT NULL column is never nulled or dropped: the row goes to quarantine with its raw text and
the reason. A field the record does not carry takes the column's `default`.

Framework columns (`_ingested_at`, `_source_file`; `_ingested_date` in assets/bronze.py) are
filled here with the type the contract declares for them, never read from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.framework_columns import (
    BRONZE_COLUMNS,
    INGESTED_AT,
    RESCUED_DATA,
    SOURCE_FILE,
)
from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import Column, IngestionContract
from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.contracts.types import zero_sql
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.line_numbers import number_rows
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.ingest.prepare import Prepared, prepare
from lakehouse_assets.ingest.typed_values import ParsedValue, parse_value
from lakehouse_assets.tables.physical import FrameworkColumn

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame, SparkSession

RAW, FILE, REASON, LINE = "_raw", SOURCE_FILE, "_quarantine_reason", "_line"
_MAP = "_fields"  # a JSON record as map<string,string>: NULL when it is not a JSON object
_RESCUED = "_rescued"
_RECORD_OK = "_record_ok"  # the record parsed: only then are its values judged one by one
# Quarantined rows are numbered on the driver up to this many per partition; past it (a whole
# day that is wrong) they keep no line number, so one bad day cannot exhaust memory.
NUMBERED_ROWS = 100_000


@dataclass
class ParsedLanding:
    rows: DataFrame  # data columns typed, plus the framework columns as declared
    rejected: DataFrame  # data columns as text, _raw, _source_file, _ingested_at, reason, _line
    rejected_rows: int


@dataclass(frozen=True)
class _Read:
    """What the parse of one landing file (or of several read together) works on."""

    columns: list[Column]  # the contract's data columns (framework columns excluded)
    framework: dict[str, FrameworkColumn]  # the table's framework columns, by name
    options: ReadOptions
    fmt: str


def data_columns(columns: list[Column]) -> list[Column]:
    return [c for c in columns if c.name not in BRONZE_COLUMNS]


def _text_schema(columns: list[Column]) -> str:
    return ", ".join(f"{quote(c.name)} STRING" for c in columns)


def _stamp(df: DataFrame, read: _Read, file: str, entry: ManifestEntry) -> DataFrame:
    from pyspark.sql import functions as F

    return df.withColumn(FILE, F.lit(file)).withColumn(
        INGESTED_AT, F.lit(entry.assigned_at).cast("timestamp"))


def _json_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    from pyspark.sql import functions as F

    lines = spark.read.text(paths).withColumnRenamed("value", RAW)
    return lines.filter(F.trim(F.col(RAW)) != "")  # blank lines hold no record


def _judge_json(df: DataFrame, read: _Read) -> DataFrame:
    """Records as JSON text -> values by key; a record that is not a JSON object fails."""
    from pyspark.sql import functions as F

    parsed = df.select("*", F.from_json(F.col(RAW), _text_schema(read.columns)).alias("_j"),
                       F.from_json(F.col(RAW), "map<string,string>").alias(_MAP))
    values = {c.name: F.col("_j").getField(c.name) for c in read.columns}
    # Whether the record carries a key matters only where a default fills its absence.
    present = {c.name: F.map_contains_key(F.col(_MAP), c.name) for c in read.columns
               if c.default_sql is not None}
    malformed = F.when(F.col(_MAP).isNull(), F.lit("malformed JSON record"))
    parsed = parsed.withColumn(_RECORD_OK, F.col(_MAP).isNotNull())
    known = F.array(*[F.lit(c.name) for c in read.columns])
    extra = F.map_filter(F.col(_MAP), lambda k, _: ~F.array_contains(known, k))
    rescued = F.when(F.size(extra) > 0, F.to_json(extra))
    return _judge(parsed.withColumn(_RESCUED, rescued), read, values, present, {}, [malformed])


def _judge_text(df: DataFrame, read: _Read) -> DataFrame:
    from pyspark.sql import functions as F

    values = {read.columns[0].name: F.col(RAW)}
    return _judge(df.withColumn(_RESCUED, F.lit(None).cast("string")), read, values, {}, {}, [])


def _by_name(df: DataFrame, read: _Read) -> tuple[dict[str, str], list[str]]:
    """Contract column -> the file's column of that name (Spark matches case-insensitively)."""
    by_lower: dict[str, str] = {}
    for name in df.columns:
        by_lower.setdefault(name.lower(), name)
    found = {c.name: by_lower[c.name.lower()] for c in read.columns
             if c.name.lower() in by_lower}
    return found, df.columns


def _judge_fields(df: DataFrame, read: _Read) -> DataFrame:
    """A CSV (header) or typed file (parquet, avro, orc): values by field name."""
    from pyspark.sql import functions as F

    found, all_columns = _by_name(df, read)
    natives = dict(df.dtypes) if read.fmt not in ("csv",) else {}
    own = [n for n in all_columns if n not in (FILE, INGESTED_AT)]  # the file's own fields
    with_raw = df.withColumn(RAW, F.to_json(F.struct(*[F.col(quote_any(n)) for n in own])))
    extras = [n for n in own if n not in found.values()]
    rescued = F.to_json(F.struct(*[F.col(quote_any(n)) for n in extras])) if extras else None
    with_raw = with_raw.withColumn(_RESCUED, F.when(rescued != "{}", rescued) if extras
                                   else F.lit(None).cast("string"))
    # Spark's CSV nullValue: that text is NULL in every column (Sail's reader ignores it).
    null_text = read.options.csv.get("nullValue") if read.fmt == "csv" else None
    values = {c: _null_if(F.col(quote_any(n)), null_text) for c, n in found.items()}
    present = {c.name: F.lit(c.name in found) for c in read.columns}
    native = {c: natives.get(n) for c, n in found.items() if natives.get(n)}
    return _judge(with_raw, read, values, present, native, [])


def _null_if(value: SparkColumn, text: str | None) -> SparkColumn:
    from pyspark.sql import functions as F

    return value if text is None else F.when(value == F.lit(text), None).otherwise(value)


def quote_any(name: str) -> str:
    """A file's own column name for the DataFrame API (any characters, back-quoted)."""
    return "`" + name.replace("`", "``") + "`"


def _judge(
    df: DataFrame, read: _Read, values: dict[str, SparkColumn], present: dict[str, SparkColumn],
    native: dict[str, str], checks: list[SparkColumn],
) -> DataFrame:
    """Typed values (internal names), their text (column names) and the quarantine reason."""
    from pyspark.sql import functions as F

    typed, texts, checks = [], [], list(checks)
    # One reason per problem: a malformed record is not judged value by value, and a value
    # that is not of its type is not also reported as a missing NOT NULL value.
    record_ok = F.col(_RECORD_OK) if _RECORD_OK in df.columns else F.lit(True)
    for i, c in enumerate(read.columns):
        value = values.get(c.name, F.lit(None).cast("string"))
        parsed: ParsedValue = parse_value(value, c, read.options, native.get(c.name))
        has = present.get(c.name, F.lit(True))
        result = parsed.typed
        if c.default_sql is not None:
            default = F.expr(c.default_sql).try_cast(c.type)
            result = F.when(has, parsed.typed).otherwise(default)
        # Sail's Delta writer checks NOT NULL before the plan's filters drop the rejected
        # rows, so those rows carry a placeholder here; the reason (below) keeps them out.
        kept = result if c.nullable else F.coalesce(result, F.expr(zero_sql(c.type)))
        typed.append(kept.alias(f"_v{i}"))
        texts.append(parsed.text.alias(c.name))
        failed = has & parsed.failed
        checks.append(F.when(record_ok & failed, F.concat(
            F.lit(f"{c.name}: '"), parsed.text, F.lit(f"' is not {c.type}"))))
        if not c.nullable:
            checks.append(F.when(record_ok & ~failed & result.isNull(),
                                 F.lit(f"{c.name}: null in a NOT NULL column")))
    reason = F.concat_ws("; ", *checks) if checks else F.lit("")  # skips nulls
    return df.select(RAW, FILE, INGESTED_AT, _RESCUED, *typed, *texts, reason.alias(REASON))


def _framework(read: _Read) -> list[SparkColumn]:
    from pyspark.sql import functions as F

    out = []
    for name, source in ((FILE, FILE), (INGESTED_AT, INGESTED_AT), (RESCUED_DATA, _RESCUED)):
        framework = read.framework.get(name)
        if framework is not None:
            value = F.col(source) if framework.filled else F.lit(None)
            out.append(value.cast(framework.column.type).alias(name))
    return out


def _read_file(spark: SparkSession, path: str, read: _Read) -> DataFrame:
    reader = spark.read
    if read.fmt == "csv":
        options = {**read.options.csv, "header": str(read.options.header).lower()}
        if read.options.header:
            return reader.options(**options).csv(path)
        return reader.options(**options).schema(_text_schema(read.columns)).csv(path)
    return reader.format(read.fmt).load(path)


def _units(
    spark: SparkSession, prepared: dict[str, Prepared], files: list[ManifestEntry], read: _Read,
    capabilities: Capabilities,
) -> list[DataFrame]:
    """Judged rows, one DataFrame per file (or one for all, where the engine can say which
    file each line came from and the records' columns do not depend on the file)."""
    from pyspark.sql import functions as F

    readable = [e for e in files if prepared[e.file_path].read_path is not None]
    if not readable:
        return []
    line_based = read.fmt in ("json", "text")
    judge = _judge_json if read.fmt == "json" else _judge_text
    if line_based and capabilities.file_metadata_column:
        stamps = spark.createDataFrame(
            [(prepared[e.file_path].read_path, e.file_path, e.assigned_at) for e in readable],
            f"_read STRING, {FILE} STRING, {INGESTED_AT} TIMESTAMP")
        paths = [str(prepared[e.file_path].read_path) for e in readable]
        lines = _json_lines(spark, paths).select("*", F.col("_metadata.file_path").alias("_read"))
        return [judge(lines.join(F.broadcast(stamps), "_read", "left"), read)]
    units = []
    for entry in readable:
        path = str(prepared[entry.file_path].read_path)
        if line_based:
            units.append(judge(_stamp(_json_lines(spark, [path]), read, entry.file_path, entry),
                               read))
        else:
            df = _stamp(_read_file(spark, path, read), read, entry.file_path, entry)
            units.append(_judge_fields(df, read))
    return units


def _set_aside_rows(prepared: dict[str, Prepared], files: list[ManifestEntry], read: _Read
                    ) -> list[dict[str, Any]]:
    """What preparation kept from the engine, as quarantine rows."""
    rows = []
    for entry in files:
        for item in prepared[entry.file_path].set_aside:
            rows.append({**{c.name: None for c in read.columns}, RAW: item.raw,
                         FILE: entry.file_path, INGESTED_AT: entry.assigned_at,
                         REASON: item.reason, LINE: item.line})
    return rows


def _numbered(
    spark: SparkSession, judged: DataFrame | None, set_aside: list[dict[str, Any]],
    prepared: dict[str, Prepared], read: _Read,
) -> tuple[DataFrame, int]:
    """The rejected rows with their line numbers, and how many there are."""
    from pyspark.sql import functions as F

    columns = [*[c.name for c in read.columns], RAW, FILE, INGESTED_AT, REASON]
    schema = ", ".join(f"{quote(c)} STRING" for c in columns[:-2]) + \
        f", {INGESTED_AT} TIMESTAMP, {REASON} STRING, {LINE} INT"
    rejected = [] if judged is None else judged.filter(F.col(REASON) != "").select(*columns)
    found = [] if judged is None else [r.asDict() for r in rejected.limit(NUMBERED_ROWS + 1)
                                       .collect()]
    if len(found) > NUMBERED_ROWS:  # a whole day gone wrong: counted, kept lazy, unnumbered
        assert judged is not None
        lazy = rejected.withColumn(LINE, F.lit(None).cast("int"))
        local = spark.createDataFrame([tuple(r[c] for c in [*columns, LINE]) for r in set_aside],
                                      schema)
        return lazy.unionByName(local), rejected.count() + len(set_aside)
    lines = number_rows(found, prepared, read.fmt, read.options, RAW, FILE,
                        [c.name for c in read.columns])
    for row, line in zip(found, lines, strict=True):
        row[LINE] = line
    rows = [tuple(r[c] for c in [*columns, LINE]) for r in set_aside + found]
    return spark.createDataFrame(rows, schema), len(rows)


def parse_landing(
    spark: SparkSession, files: list[ManifestEntry], ingestion: IngestionContract,
    columns: list[Column], framework: list[FrameworkColumn], capabilities: Capabilities,
    staging: Path,
) -> ParsedLanding:
    """`columns`: the table contract's columns; `framework`: the framework columns the table
    has (declared or added), whose declared types the fill honours."""
    from pyspark.sql import functions as F

    read = _Read(data_columns(columns), {f.column.name: f for f in framework},
                 ingestion.source.read_options(), ingestion.source.format)
    prepared = {e.file_path: prepare(e, read.fmt, read.options, staging) for e in files}
    units = _units(spark, prepared, files, read, capabilities)
    judged = reduce(lambda a, b: a.unionByName(b), units) if units else None
    rejected, count = _numbered(spark, judged, _set_aside_rows(prepared, files, read),
                                prepared, read)
    if judged is None:
        good = rejected.limit(0).select(*[F.lit(None).cast(c.type).alias(c.name)
                                          for c in read.columns], *_framework_empty(read))
    else:
        good = judged.filter(F.col(REASON) == "").select(
            *[F.col(f"_v{i}").alias(c.name) for i, c in enumerate(read.columns)],
            *_framework(read))
    return ParsedLanding(good, rejected, count)


def _framework_empty(read: _Read) -> list[SparkColumn]:
    from pyspark.sql import functions as F

    return [F.lit(None).cast(f.column.type).alias(name) for name, f in read.framework.items()
            if name in (FILE, INGESTED_AT, RESCUED_DATA)]
