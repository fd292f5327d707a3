"""Landing records -> typed values, their text, and the reason a row cannot be loaded.

Each format's records are first turned into one value per contract column, matched by name
(JSON keys, the CSV header, parquet/avro/orc fields; CSV without a header by position, as
Spark does). Values are then typed per the contract (ingest/typed_values.py): a corrupt record,
a value not of the contract's type, or a null in a NOT NULL column is never nulled or dropped:
the row gets a reason, and goes to quarantine with its raw text. A field the record does not
carry takes the column's `default`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.framework_columns import INGESTED_AT, RAW
from lakehouse_assets.contracts.types import zero_sql
from lakehouse_assets.ingest.landing_read import (
    FILE,
    REASON,
    RECORD_OK,
    RESCUED,
    LandingRead,
    quote_any,
    typed_column,
)
from lakehouse_assets.ingest.typed_values import ParsedValue, parse_value

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame

_KEYS = "_keys"  # a JSON record's keys: NULL when it is not a JSON object


def judge_json(
    df: DataFrame, read: LandingRead, object_keys: bool = True, keep: tuple[str, ...] = ()
) -> DataFrame:
    """Records as JSON text -> values by key; a record that is not a JSON object fails.
    `object_keys`: the engine has json_object_keys() (see Capabilities); `keep`: columns of
    `df` carried through as they are (a Kafka message's topic, partition, offset)."""
    from pyspark.sql import functions as F

    raw = F.col(RAW)
    # The record's keys (NULL when it does not start as a JSON object), and whether the whole
    # line is one JSON value: the keys alone pass `{"a": 1} x`. Two light parses, where a
    # map of every value cost twice as much (cases: j22 and j34 in tests/bad_input_cases.py).
    fields = F.from_json(raw, "map<string,string>")
    keys = F.json_object_keys(raw) if object_keys else F.map_keys(fields)
    one_value = F.json_array_length(F.concat(F.lit("["), raw, F.lit("]"))).isNotNull()
    parsed = df.select("*", keys.alias(_KEYS)).withColumn(
        RECORD_OK, F.col(_KEYS).isNotNull() & one_value
    )
    # Each value's own text: the engine's from_json turns JSON numbers into floats first
    # (12345678901234567.89 came back as 1.2345678901234568e+16), get_json_object does not.
    # A malformed record holds no values, only its text: engines read different fields out of
    # a broken line (Sail took "customer_id" from a truncated record, Spark nothing).
    ok = F.col(RECORD_OK)
    values = {c.name: F.when(ok, F.get_json_object(raw, f"$.{c.name}")) for c in read.columns}
    # Whether the record carries a key matters only where a default fills its absence.
    present = {
        c.name: F.array_contains(F.col(_KEYS), c.name)
        for c in read.columns
        if c.default_sql is not None
    }
    malformed = F.when(~F.col(RECORD_OK), F.lit("malformed JSON record"))
    known = F.array(*[F.lit(c.name) for c in read.columns])
    extra = F.exists(F.col(_KEYS), lambda k: ~F.array_contains(known, k))
    # The undeclared fields as JSON, parsed into a map only for the records that have some.
    rescued = F.when(
        F.col(RECORD_OK) & extra,
        F.to_json(F.map_filter(fields, lambda k, _: ~F.array_contains(known, k))),
    )
    return _judge(parsed.withColumn(RESCUED, rescued), read, values, present, {}, [malformed], keep)


def judge_text(df: DataFrame, read: LandingRead) -> DataFrame:
    """Each line is the value of the one data column."""
    from pyspark.sql import functions as F

    values = {read.columns[0].name: F.col(RAW)}
    return _judge(df.withColumn(RESCUED, F.lit(None).cast("string")), read, values, {}, {}, [])


def _by_name(df: DataFrame, read: LandingRead) -> dict[str, str]:
    """Contract column -> the file's column of that name (Spark matches case-insensitively)."""
    by_lower: dict[str, str] = {}
    for name in df.columns:
        by_lower.setdefault(name.lower(), name)
    return {c.name: by_lower[c.name.lower()] for c in read.columns if c.name.lower() in by_lower}


def judge_fields(df: DataFrame, read: LandingRead) -> DataFrame:
    """A CSV (header) or typed file (parquet, avro, orc): values by field name."""
    from pyspark.sql import functions as F

    found = _by_name(df, read)
    natives = dict(df.dtypes) if read.fmt != "csv" else {}
    own = [n for n in df.columns if n not in (FILE, INGESTED_AT)]  # the file's own fields
    with_raw = df.withColumn(RAW, F.to_json(F.struct(*[F.col(quote_any(n)) for n in own])))
    extras = [n for n in own if n not in found.values()]
    rescued = F.to_json(F.struct(*[F.col(quote_any(n)) for n in extras])) if extras else None
    with_raw = with_raw.withColumn(
        RESCUED, F.when(rescued != "{}", rescued) if extras else F.lit(None).cast("string")
    )
    # Spark's CSV nullValue: that text is NULL in every column (Sail's reader ignores it).
    null_text = read.options.csv.get("nullValue") if read.fmt == "csv" else None
    values = {c: _null_if(F.col(quote_any(n)), null_text) for c, n in found.items()}
    present = {c.name: F.lit(c.name in found) for c in read.columns}
    native = {c: t for c, n in found.items() if (t := natives.get(n))}
    return _judge(with_raw, read, values, present, native, [])


def _null_if(value: SparkColumn, text: str | None) -> SparkColumn:
    from pyspark.sql import functions as F

    return value if text is None else F.when(value == F.lit(text), None).otherwise(value)


def _judge(
    df: DataFrame,
    read: LandingRead,
    values: dict[str, SparkColumn],
    present: dict[str, SparkColumn],
    native: dict[str, str],
    checks: list[SparkColumn],
    keep: tuple[str, ...] = (),
) -> DataFrame:
    """Typed values (internal names), their text (column names) and the quarantine reason."""
    from pyspark.sql import functions as F

    typed, texts, checks = [], [], list(checks)
    # One reason per problem: a malformed record is not judged value by value, and a value
    # that is not of its type is not also reported as a missing NOT NULL value.
    record_ok = F.col(RECORD_OK) if RECORD_OK in df.columns else F.lit(True)
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
        typed.append(kept.alias(typed_column(i)))
        texts.append(parsed.text.alias(c.name))
        failed = has & parsed.failed
        checks.append(
            F.when(
                record_ok & failed,
                F.concat(F.lit(f"{c.name}: '"), parsed.text, F.lit(f"' is not {c.type}")),
            )
        )
        if not c.nullable:
            checks.append(
                F.when(
                    record_ok & ~failed & result.isNull(),
                    F.lit(f"{c.name}: null in a NOT NULL column"),
                )
            )
    reason = F.concat_ws("; ", *checks) if checks else F.lit("")  # skips nulls
    kept = [quote_any(k) for k in keep]
    return df.select(RAW, FILE, INGESTED_AT, RESCUED, *kept, *typed, *texts, reason.alias(REASON))
