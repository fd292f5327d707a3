"""Column types a contract may declare, parsed as Spark SQL types and normalised to Spark DDL.

A real parser (sqlglot's Spark dialect) reads nested `ARRAY<...>`, `MAP<...>`, `STRUCT<...>`;
the tree is then written back by us, so every engine gets one canonical spelling
(`integer` -> `INT`, `struct<a int>` -> `STRUCT<a: INT>`, `decimal(10, 2)` -> `DECIMAL(10,2)`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

T = exp.DataType.Type
_LEAVES = {
    T.TEXT: "STRING", T.VARCHAR: "STRING",
    T.INT: "INT", T.BIGINT: "BIGINT", T.SMALLINT: "SMALLINT", T.TINYINT: "TINYINT",
    T.DOUBLE: "DOUBLE", T.FLOAT: "FLOAT", T.BOOLEAN: "BOOLEAN",
    T.DATE: "DATE", T.TIMESTAMP: "TIMESTAMP", T.TIMESTAMPTZ: "TIMESTAMP",
    T.TIMESTAMPLTZ: "TIMESTAMP", T.TIMESTAMPNTZ: "TIMESTAMP_NTZ", T.BINARY: "BINARY",
}  # fmt: skip
KNOWN_TYPES = [
    "STRING",
    "INT",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "DOUBLE",
    "FLOAT",
    "BOOLEAN",
    "DATE",
    "TIMESTAMP",
    "TIMESTAMP_NTZ",
    "BINARY",
    "DECIMAL(p,s)",
    "ARRAY<t>",
    "MAP<k,v>",
    "STRUCT<name: t, ...>",
]
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTED = re.compile(r"`(?:[^`]|``)*`")
# Type names Spark SQL accepts (and the aliases DKOps contracts use).
_SPARK_WORDS = frozenset(
    {
        "STRING",
        "VARCHAR",
        "CHAR",
        "TEXT",
        "INT",
        "INTEGER",
        "BIGINT",
        "LONG",
        "SMALLINT",
        "SHORT",
        "TINYINT",
        "BYTE",
        "DOUBLE",
        "FLOAT",
        "REAL",
        "BOOLEAN",
        "BOOL",
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP_NTZ",
        "TIMESTAMP_LTZ",
        "BINARY",
        "DECIMAL",
        "DEC",
        "NUMERIC",
        "ARRAY",
        "MAP",
        "STRUCT",
        "NOT",
        "NULL",
        "COMMENT",
    }
)


def _hint() -> str:
    return f"use one of {', '.join(KNOWN_TYPES)}"


def _render(node: exp.DataType, declared: str) -> str:
    kind = node.this
    if kind in _LEAVES:  # VARCHAR(n) / CHAR(n) read as STRING, as Spark casts them
        return _LEAVES[kind]
    if kind == T.DECIMAL:
        args = [int(e.name) for e in node.expressions] or [10, 0]
        precision, scale = [*args, 0][:2]
        if not 0 < precision <= 38 or not 0 <= scale <= precision:
            raise ValueError(f"{declared!r}: DECIMAL(p,s) needs 1 <= p <= 38 and 0 <= s <= p")
        return f"DECIMAL({precision},{scale})"
    if kind == T.ARRAY and len(node.expressions) == 1:
        return f"ARRAY<{_render(node.expressions[0], declared)}>"
    if kind == T.MAP and len(node.expressions) == 2:
        key, value = (_render(e, declared) for e in node.expressions)
        return f"MAP<{key}, {value}>"
    if kind == T.STRUCT and node.expressions:
        fields = []
        for field in node.expressions:
            name, sub = field.this.name, field.args["kind"]
            shown = name if _FIELD.match(name) else "`" + name.replace("`", "``") + "`"
            fields.append(f"{shown}: {_render(sub, declared)}")
        return "STRUCT<" + ", ".join(fields) + ">"
    raise ValueError(f"unknown column type {declared!r}; {_hint()}")


@lru_cache(maxsize=1024)
def normalize_type(declared: str) -> str:
    """'integer' -> 'INT', 'struct<a int>' -> 'STRUCT<a: INT>'; ValueError naming the fix."""
    # Parsed inside a CAST so that trailing words ('int int') are an error, not ignored.
    try:
        cast = sqlglot.parse_one(f"CAST(NULL AS {declared})", read="spark")
    except (ParseError, ValueError):
        cast = None
    if not isinstance(cast, exp.Cast):
        raise ValueError(f"unknown column type {declared!r}; {_hint()}")
    # sqlglot reads other dialects' names too (VARCHAR2, NVARCHAR): keep to Spark's own.
    fields = {
        f.this.name.upper()
        for t in cast.to.find_all(exp.DataType)
        if t.this == T.STRUCT
        for f in t.expressions
    }
    words = {w.upper() for w in _WORD.findall(_QUOTED.sub(" ", declared))} - fields
    if words - _SPARK_WORDS:
        raise ValueError(f"unknown column type {declared!r}; {_hint()}")
    return _render(cast.to, declared)


def is_nested(spark_type: str) -> bool:
    return spark_type.startswith(("ARRAY<", "MAP<", "STRUCT<"))


@lru_cache(maxsize=1024)
def as_text_type(spark_type: str) -> str:
    """The same shape with every leaf STRING: what a JSON value of that type parses into
    without loss, so a failed cast of any leaf can be found (see ingest/typed_values.py)."""
    node = exp.DataType.build(spark_type, dialect="spark")
    for leaf in list(node.find_all(exp.DataType)):
        if leaf.this not in (T.ARRAY, T.MAP, T.STRUCT):
            leaf.replace(exp.DataType.build("STRING"))
    return _render(node, spark_type)


_ZERO = {
    "STRING": "''",
    "BOOLEAN": "false",
    "DATE": "DATE'1970-01-01'",
    "TIMESTAMP": "TIMESTAMP'1970-01-01 00:00:00'",
    "TIMESTAMP_NTZ": "TIMESTAMP_NTZ'1970-01-01 00:00:00'",
    "BINARY": "X''",
}


def zero_sql(spark_type: str) -> str:
    """A non-null SQL literal of the type (0, '', empty array...): a placeholder value."""
    node = exp.DataType.build(spark_type, dialect="spark")
    return _zero(node)


def _zero(node: exp.DataType) -> str:
    kind = node.this
    if kind == T.ARRAY:
        return f"CAST(array() AS {_render(node, 'ARRAY')})"
    if kind == T.MAP:
        return f"CAST(map() AS {_render(node, 'MAP')})"
    if kind == T.STRUCT:
        return (
            "named_struct("
            + ", ".join(f"'{f.this.name}', {_zero(f.args['kind'])}" for f in node.expressions)
            + ")"
        )
    text = _render(node, "type")
    return f"CAST({_ZERO.get(text, '0')} AS {text})"
