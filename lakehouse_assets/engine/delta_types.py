"""Contract (Spark DDL) types <-> the Delta protocol's types as delta-rs speaks them, nested
types included, in one place for the writers (add a column) and the readers (live schema)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from lakehouse_assets.contracts.types import normalize_type

_PRIMITIVE = {
    "STRING": "string", "INT": "integer", "BIGINT": "long", "SMALLINT": "short",
    "TINYINT": "byte", "DOUBLE": "double", "FLOAT": "float", "BOOLEAN": "boolean",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP_NTZ": "timestamp_ntz",
    "BINARY": "binary",
}  # fmt: skip
_FROM_PRIMITIVE = {v: k for k, v in _PRIMITIVE.items()}


def delta_type(spark_type: str) -> Any:
    """A normalised contract type -> a delta-rs schema type (PrimitiveType, ArrayType...)."""
    node = exp.DataType.build(spark_type, dialect="spark")
    return _to_delta(node)


def _to_delta(node: exp.DataType) -> Any:
    from deltalake.schema import ArrayType, Field, MapType, PrimitiveType, StructType

    kind = node.this
    if kind == exp.DataType.Type.ARRAY:
        return ArrayType(_to_delta(node.expressions[0]), contains_null=True)
    if kind == exp.DataType.Type.MAP:
        key, value = node.expressions
        return MapType(_to_delta(key), _to_delta(value), value_contains_null=True)
    if kind == exp.DataType.Type.STRUCT:
        return StructType(
            [Field(f.this.name, _to_delta(f.args["kind"]), nullable=True) for f in node.expressions]
        )
    text = normalize_type(node.sql(dialect="spark"))
    if text.startswith("DECIMAL"):
        return PrimitiveType(text.lower())
    return PrimitiveType(_PRIMITIVE[text])


def contract_type(delta: Any) -> str:
    """A delta-rs schema type (or its primitive name) -> the normalised contract type."""
    if isinstance(delta, str):
        name = delta.strip().lower()
        return _FROM_PRIMITIVE.get(name) or normalize_type(name)
    kind = getattr(delta, "type", None)
    if kind == "array":
        return f"ARRAY<{contract_type(delta.element_type)}>"
    if kind == "map":
        return f"MAP<{contract_type(delta.key_type)}, {contract_type(delta.value_type)}>"
    if kind == "struct":
        return normalize_type(
            "STRUCT<"
            + ", ".join(f"`{f.name}`: {contract_type(f.type)}" for f in delta.fields)
            + ">"
        )
    return contract_type(str(kind))
