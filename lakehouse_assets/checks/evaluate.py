"""Evaluating compiled rules on a DataFrame: failing counts, a few sample rows, and the split of
a batch into the rows to write and the rows to quarantine (with the names of the rules failed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lakehouse_assets.checks.rules import Rule
from lakehouse_assets.contracts.framework_columns import FAILED_RULES
from lakehouse_assets.contracts.framework_columns import QUARANTINE_REASON as REASON
from lakehouse_assets.contracts.identifiers import quote

if TYPE_CHECKING:
    from pyspark.sql import Column as SparkColumn
    from pyspark.sql import DataFrame

SAMPLES = 3


@dataclass
class Outcome:
    rule: Rule
    failing: int
    checked: int
    samples: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.failing == 0


@dataclass
class RowSplit:
    kept: DataFrame
    dropped: DataFrame | None  # rows failing a drop rule, with _failed_rules and the reason
    outcomes: list[Outcome]
    rows_in: int
    rows_dropped: int


def _plain(row: Any) -> dict[str, Any]:
    return {
        k: (v if isinstance(v, (int, float, bool, str)) or v is None else str(v))
        for k, v in row.asDict().items()
    }


def _fails(rule: Rule, exempt: str | None) -> SparkColumn:
    """True when a row fails the rule; NULL counts as passing (SQL CHECK semantics)."""
    from pyspark.sql import functions as F

    fails = ~F.coalesce(F.expr(f"({rule.predicate})").cast("boolean"), F.lit(True))
    return ~F.expr(exempt) & fails if exempt else fails


def split_rows(df: DataFrame, rules: list[Rule], exempt: str | None = None) -> RowSplit:
    """Judge every row rule in one pass; `exempt` (SQL) marks rows no rule applies to (deletes)."""
    from pyspark.sql import functions as F

    row_rules = [r for r in rules if r.row_level]
    flags = [_fails(r, exempt) for r in row_rules]
    drops = [f for r, f in zip(row_rules, flags, strict=True) if r.action == "drop"]
    counts = df.select(
        F.count(F.lit(1)).alias("n"),
        *[F.sum(F.when(f, 1).otherwise(0)).alias(f"f{i}") for i, f in enumerate(flags)],
        *([F.sum(F.when(_any(drops), 1).otherwise(0)).alias("d")] if drops else []),
    ).collect()[0]
    rows_in = int(counts["n"])
    outcomes = []
    for i, (rule, flag) in enumerate(zip(row_rules, flags, strict=True)):
        failing = int(counts[f"f{i}"] or 0)
        samples = [_plain(r) for r in df.where(flag).limit(SAMPLES).collect()] if failing else []
        outcomes.append(Outcome(rule, failing, rows_in, samples))
    outcomes += [unique_outcome(df, r) for r in rules if r.kind == "unique"]
    outcomes += [row_count_outcome(rows_in, r) for r in rules if r.kind == "row_count"]
    if not drops:
        return RowSplit(df, None, outcomes, rows_in, 0)
    names = F.concat_ws(
        ", ", *[F.when(f, F.lit(r.name)) for r, f in zip(row_rules, flags, strict=True)]
    )
    drop = _any(drops)
    dropped = (
        df.where(drop)
        .withColumn(FAILED_RULES, names)
        .withColumn(REASON, F.concat(F.lit("failed expectations: "), F.col(FAILED_RULES)))
    )
    return RowSplit(df.where(~drop), dropped, outcomes, rows_in, int(counts["d"] or 0))


def _any(flags: list[SparkColumn]) -> SparkColumn:
    out = flags[0]
    for f in flags[1:]:
        out = out | f
    return out


def unique_outcome(df: DataFrame, rule: Rule, where: str | None = None) -> Outcome:
    """Rows whose key appears more than once (a key with 3 rows counts 3)."""
    from pyspark.sql import functions as F

    frame = df.where(where) if where else df
    cols = [quote(c) for c in rule.columns]
    dupes = frame.groupBy(*cols).agg(F.count(F.lit(1)).alias("_rows")).where("_rows > 1")
    totals = dupes.agg(F.sum("_rows").alias("s")).collect()[0]
    failing = int(totals["s"] or 0)
    samples = [_plain(r) for r in dupes.limit(SAMPLES).collect()] if failing else []
    return Outcome(rule, failing, frame.count(), samples)


def row_count_outcome(rows: int, rule: Rule) -> Outcome:
    low = rule.min is not None and rows < rule.min
    high = rule.max is not None and rows > rule.max
    return Outcome(
        rule,
        1 if low or high else 0,
        rows,
        detail=f"{rows} rows; expected [{rule.min}, {rule.max}]",
    )


def freshness_outcome(df: DataFrame, rule: Rule) -> Outcome:
    from pyspark.sql import functions as F

    column = rule.columns[0]
    row = df.select(
        F.max(F.col(column)).alias("latest"),
        (
            (F.unix_timestamp(F.current_timestamp()) - F.unix_timestamp(F.max(F.col(column))))
            / 3600.0
        ).alias("age"),
    ).collect()[0]
    age = row["age"]
    stale = age is None or age > (rule.max_age_hours or 0)
    text = "no rows" if age is None else f"latest {column} {row['latest']} is {age:.1f} h old"
    return Outcome(rule, 1 if stale else 0, 1, detail=f"{text}; allowed {rule.max_age_hours} h")
