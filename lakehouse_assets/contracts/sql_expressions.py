"""SQL expressions written in contracts (defaults, silver filter and select_expr), checked at
load time with a real parser so a typo is a contract error, not a failed run."""

from __future__ import annotations

import json
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError


def parse_expression(text: str, what: str) -> exp.Expr:
    """The parsed expression; ValueError naming `what` when it is not one SQL expression."""
    try:
        parsed = sqlglot.parse_one(text, read="spark")
    except ParseError as exc:
        raise ValueError(
            f"{what} {text!r} is not a SQL expression: {str(exc).splitlines()[0]}"
        ) from None
    if parsed is None or isinstance(parsed, (exp.Query, exp.Command)):
        raise ValueError(f"{what} {text!r} is not a SQL expression")
    return parsed


def columns_used(parsed: exp.Expr) -> list[str]:
    """The columns an expression reads; a struct field (`customer.id`) reads its column."""
    return list(dict.fromkeys(c.table or c.name for c in parsed.find_all(exp.Column)))


def qualified(text: str, alias: str | None) -> str:
    """The expression as Spark SQL with every column read from `alias` (`s.op`), so a merge
    can ask it of the source or the target row; unchanged text without an alias."""
    if not alias:
        return f"({text})"
    parsed = parse_expression(text, "expression")

    def _qualify(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table:
            return exp.column(node.this.copy(), table=alias)
        return node

    return "(" + parsed.transform(_qualify).sql(dialect="spark") + ")"


def output_name(parsed: exp.Expr) -> str | None:
    """The column a select expression produces (`expr AS name`, or a bare column's name)."""
    if isinstance(parsed, exp.Alias):
        return parsed.alias
    if isinstance(parsed, exp.Column):
        return parsed.name
    return None


def default_sql(value: Any) -> str | None:
    """A column default as Spark SQL. DKOps writes a SQL expression as a string (e.g.
    "current_timestamp()", "'unknown'"); numbers and booleans are literals. An expression may
    not read other columns: a default is the same for every row of a write."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if not isinstance(value, str):
        raise ValueError(
            f"default {value!r}: write a SQL expression as a string, a number or true/false"
        )
    used = columns_used(parse_expression(value, "default"))
    if used:
        raise ValueError(
            f"default {value!r} reads columns {used}: a default is a SQL "
            f"expression such as current_timestamp() or a literal; for the text "
            f"{value} write \"'{value}'\""
        )
    return value
