"""Checks of the DKOps format that need two contracts at once: a bronze table with its
ingestion (framework columns, source options, the text format), a silver table with its
promotion (the columns `select_expr` makes). Each problem: (field, message, fix, severity)."""

from __future__ import annotations

from sqlglot import exp

from lakehouse_assets.contracts.extensions import Problem
from lakehouse_assets.contracts.framework_columns import (
    BRONZE_COLUMNS,
    FILLABLE_TYPES,
    SILVER_COLUMNS,
    type_problem,
)
from lakehouse_assets.contracts.models import IngestionContract, PromotionContract, TableContract
from lakehouse_assets.contracts.sql_expressions import (
    columns_used,
    output_name,
    parse_expression,
)

_METADATA_FLAG = {
    "_ingested_at": "add_ingested_at",
    "_source_file": "add_source_file",
    "_rescued_data": "add_rescued_data",
}


def _framework_types(table: TableContract, names: tuple[str, ...]) -> list[Problem]:
    problems = []
    for i, column in enumerate(table.columns):
        why = type_problem(column.name, column.type) if column.name in names else None
        if why:
            fix = (
                f"declare {column.name} as {FILLABLE_TYPES[column.name][0]}, or drop it "
                "from the contract (the framework adds it)"
            )
            problems.append((f"columns[{i}].type", why, fix, "error"))
    return problems


def bronze_problems(ingestion: IngestionContract, table: TableContract) -> list[Problem]:
    """Problems of a bronze table contract as the ingestion that fills it sees it."""
    problems = _framework_types(table, BRONZE_COLUMNS)
    for name, flag in _METADATA_FLAG.items():
        if table.column(name) is not None and not getattr(ingestion.metadata, flag):
            problems.append(
                (
                    f"metadata.{flag}",
                    f"the table declares {name} but metadata.{flag} is false: it stays NULL",
                    f"set metadata.{flag} true, or drop {name} from the table",
                    "warning",
                )
            )
    return problems


def source_problems(ingestion: IngestionContract, table: TableContract) -> list[Problem]:
    """The source's options and format, as the ingestion contract writes them."""
    source = ingestion.source
    if source.format == "delta":
        return [
            (
                "source.format",
                "a landing source cannot be 'delta' (bronze reads files)",
                "use json, csv, parquet, avro, orc or text; silver reads bronze itself",
                "error",
            )
        ]
    problems = [
        (f"source.options.{n.option}", n.message, n.fix, n.severity)
        for n in source.read_options().notes
    ]
    if source.schema_hint is not None:
        problems.append(
            (
                "source.schema",
                "accepted and ignored: the contract's columns are the schema",
                "remove it",
                "info",
            )
        )
    if source.format == "text":
        data = [c for c in table.columns if c.name not in BRONZE_COLUMNS]
        if len(data) != 1 or data[0].type != "STRING":
            problems.append(
                (
                    "source.format",
                    "a text source fills one STRING column per line; "
                    f"the table has {[f'{c.name} {c.type}' for c in data]}",
                    "declare exactly one STRING data column",
                    "error",
                )
            )
    return problems


def silver_problems(table: TableContract) -> list[Problem]:
    """The silver timestamps must be declared with a type the framework fills them with (the
    columns a strategy fills are its own rules: contracts.extensions.PromotionRules)."""
    return _framework_types(table, SILVER_COLUMNS)


def promoted_columns(promo: PromotionContract, source: TableContract) -> set[str]:
    """The columns a promotion hands its strategy: the source's (with bronze's framework
    columns), or what its select_expr makes (`*` meaning every source column)."""
    available = set(source.column_names) | set(BRONZE_COLUMNS)
    if not promo.select_expr:
        return available
    made: set[str] = set(BRONZE_COLUMNS)
    for text in promo.select_expr:
        if text.strip() == "*":
            made |= available
            continue
        name = output_name(parse_expression(text, "select_expr"))
        if name:
            made.add(name)
    return made


def select_problems(promo: PromotionContract, source: TableContract) -> list[Problem]:
    """Each select_expr must name what it makes and read only source columns."""
    available = set(source.column_names) | set(BRONZE_COLUMNS)
    problems = []
    for i, text in enumerate(promo.select_expr):
        if text.strip() == "*":
            continue
        parsed = parse_expression(text, "select_expr")
        if output_name(parsed) is None:
            problems.append(
                (
                    f"select_expr[{i}]",
                    f"{text!r} makes a column with no name",
                    f"name it: {text} AS <column>",
                    "error",
                )
            )
        unknown = _unknown(parsed, available)
        if unknown:
            problems.append(
                (
                    f"select_expr[{i}]",
                    f"{text!r} reads {unknown}, which the source does not have",
                    f"use columns of the source: {sorted(available)}",
                    "error",
                )
            )
    if promo.filter:
        unknown = _unknown(parse_expression(promo.filter, "filter"), available)
        if unknown:
            problems.append(
                (
                    "filter",
                    f"{promo.filter!r} reads {unknown}, which the source does not have",
                    f"use columns of the source: {sorted(available)}",
                    "error",
                )
            )
    return problems


def _unknown(parsed: exp.Expr, available: set[str]) -> list[str]:
    return sorted(set(columns_used(parsed)) - available)
