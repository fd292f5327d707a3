"""Read gold SQL: which tables it names (for inferred deps) and rewriting those names per engine."""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

TableName = tuple[str, str, str]  # (catalog or "", schema, table)


def _parse(sql: str) -> exp.Expr:
    parsed = sqlglot.parse_one(sql, dialect="spark")
    if parsed is None:
        raise ValueError("empty SQL")
    return parsed


def _is_table_ref(table: exp.Table, ctes: set[str]) -> bool:
    return bool(table.name) and not (not table.db and table.name.lower() in ctes)


def _ctes(tree: exp.Expr) -> set[str]:
    return {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}


def tables_read(sql: str) -> list[TableName]:
    """Every table the query reads, CTE names excluded; raises ValueError on SQL it cannot parse."""
    try:
        tree = _parse(sql)
    except ParseError as exc:
        raise ValueError(f"SQL does not parse: {str(exc).splitlines()[0]}") from exc
    ctes = _ctes(tree)
    found: list[TableName] = []
    for table in tree.find_all(exp.Table):
        if _is_table_ref(table, ctes):
            name = (table.catalog, table.db, table.name)
            if name not in found:
                found.append(name)
    return found


def rewrite_tables(sql: str, to_sql: Callable[[TableName], str]) -> str:
    """Replace each table name by the engine's reference for it (a path or a catalog name)."""
    tree = _parse(sql)
    ctes = _ctes(tree)

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and _is_table_ref(node, ctes):
            target = exp.to_table(to_sql((node.catalog, node.db, node.name)), dialect="spark")
            if node.alias:
                target.set("alias", node.args.get("alias"))
            return target
        return node

    return tree.transform(swap).sql(dialect="spark")
