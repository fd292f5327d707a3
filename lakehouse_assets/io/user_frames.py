"""The frames a user's own asset may hand the Delta IO manager, as Arrow, and the frame a
downstream input asks for, from Arrow.

Arrow is the one form the user-table writer (io/user_write.py) works on: pyarrow Tables and
RecordBatchReaders as they are, pandas and polars through their Arrow export, and a Spark
DataFrame through `toArrow()`. pandas and polars are never imported here: a frame of a library
the run never imported cannot exist, so `sys.modules` answers the isinstance question.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pyarrow as pa

FrameKind = Literal["spark", "arrow", "pandas", "polars"]
SUPPORTED = (
    "a Spark DataFrame, a pyarrow Table or RecordBatchReader, a pandas or a polars DataFrame"
)


def _loaded_class(module: str, name: str) -> type | None:
    """The class if its library is imported; None otherwise (no object can be one)."""
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) else None


def _is_a(obj: Any, module: str, name: str) -> bool:
    cls = _loaded_class(module, name)
    return cls is not None and isinstance(obj, cls)


def is_spark_frame(obj: Any) -> bool:
    """pyspark.sql.DataFrame is the base of both the classic and the Connect DataFrame."""
    return _is_a(obj, "pyspark.sql", "DataFrame")


def to_arrow(obj: Any, label: str) -> pa.Table:
    """The frame as one Arrow table with plain string and binary types; anything else is a
    ValueError naming what the IO manager takes."""
    import pyarrow as pa

    if isinstance(obj, pa.Table):
        table = obj
    elif isinstance(obj, pa.RecordBatchReader):
        table = obj.read_all()  # a merge dedups and checks keys: it needs the whole batch
    elif _is_a(obj, "pandas", "DataFrame"):
        table = pa.Table.from_pandas(obj, preserve_index=False)
    elif _is_a(obj, "polars", "DataFrame"):
        table = obj.to_arrow()
    elif is_spark_frame(obj):
        table = obj.toArrow()
    else:
        raise ValueError(
            f"{label}: the Delta IO manager cannot store a {type(obj).__module__}."
            f"{type(obj).__qualname__}; return {SUPPORTED} (or a contract asset's TableWrite), "
            "or give the asset another io_manager_key"
        )
    return plain_types(table)


def plain_types(table: pa.Table) -> pa.Table:
    """string_view / large_string -> string and their binary twins (polars and Spark hand
    them out): delta-rs stores them alike, and a merge then compares one type with itself."""
    import pyarrow as pa
    import pyarrow.types as t

    fields = []
    for f in table.schema:
        if t.is_large_string(f.type) or t.is_string_view(f.type):
            f = f.with_type(pa.string())
        elif t.is_large_binary(f.type) or t.is_binary_view(f.type):
            f = f.with_type(pa.binary())
        fields.append(f)
    schema = pa.schema(fields)
    return table if schema.equals(table.schema) else table.cast(schema)


def requested_kind(annotation: Any) -> FrameKind:
    """What an input's type annotation asks for; anything else (no annotation, a Spark
    DataFrame) gets a Spark DataFrame, as contract assets' inputs do."""
    wanted: dict[FrameKind, type | None] = {
        "arrow": _loaded_class("pyarrow", "Table"),
        "pandas": _loaded_class("pandas", "DataFrame"),
        "polars": _loaded_class("polars", "DataFrame"),
    }
    if isinstance(annotation, type):
        for kind, cls in wanted.items():
            if cls is not None and issubclass(annotation, cls):
                return kind
    return "spark"


def from_arrow(table: pa.Table, kind: FrameKind) -> Any:
    """An Arrow table as the asked kind (not "spark": the caller reads those with the engine)."""
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table
