"""SQL quoting, in one leaf module: identifiers from contracts are validated before they reach
SQL and always quoted there; Python values become SQL literals."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))


def quote(name: str) -> str:
    """Back-quote one identifier for Spark SQL; refuses anything that is not a plain name."""
    if not is_identifier(name):
        raise ValueError(f"not a valid identifier: {name!r} (letters, digits and _ only)")
    return f"`{name}`"


def quote_path(path: str) -> str:
    """A Delta path reference for Spark SQL: delta.`/some/path`."""
    if "`" in path:
        raise ValueError(f"a table path may not contain a back-quote: {path!r}")
    return f"delta.`{path}`"


def sql_string(value: str) -> str:
    """A single-quoted Spark SQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def literal(value: Any) -> str:
    """A Python value as a Spark SQL literal (partition values, filters built from dicts)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP {sql_string(value.isoformat(sep=' '))}"
    if isinstance(value, date):
        return f"DATE {sql_string(value.isoformat())}"
    return sql_string(str(value))
