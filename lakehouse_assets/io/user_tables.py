"""Tables of users' own assets (not built from a contract), stored by the Delta IO manager:
where each lives and how it is written, read from the asset's definition metadata, and how a
downstream input reads it back.

    @asset(metadata={"lakehouse/write_mode": "merge", "lakehouse/merge_keys": ["id"]})
    def customers() -> pa.Table: ...

Keys (README, "Your own assets with the Delta IO manager"):
- lakehouse/write_mode: overwrite (default) | append | merge
- lakehouse/merge_keys: the columns identifying a row (a list, or a comma string); merge only
- lakehouse/sequence_by: the column ordering a key's versions; merge only
- lakehouse/delete_when: SQL on the incoming row (`s.<column>`) marking a delete; merge only
- lakehouse/path: the table's path (relative: under the data root); default
  `<paths.gold, else the data root>/user/<asset key parts>`
- lakehouse/partition_column: the column holding a partitioned asset's partition key
A `lakehouse/` key not listed here is an error (a typo would silently change the write).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from dagster import Failure, MetadataValue, PartitionsDefinition, TimeWindowPartitionsDefinition

from lakehouse_assets.contracts.environment import absolute_path
from lakehouse_assets.contracts.identifiers import is_identifier, quote, sql_string
from lakehouse_assets.io.user_frames import FrameKind, from_arrow
from lakehouse_assets.storage.delta import delta_table, is_delta_table
from lakehouse_assets.tables.location import TableLocation
from lakehouse_assets.tables.physical import partition_expression

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

WRITE_MODE = "lakehouse/write_mode"
MERGE_KEYS = "lakehouse/merge_keys"
SEQUENCE_BY = "lakehouse/sequence_by"
DELETE_WHEN = "lakehouse/delete_when"
PATH = "lakehouse/path"
PARTITION_COLUMN = "lakehouse/partition_column"
KEYS = (WRITE_MODE, MERGE_KEYS, SEQUENCE_BY, DELETE_WHEN, PATH, PARTITION_COLUMN)
MERGE_ONLY = (MERGE_KEYS, SEQUENCE_BY, DELETE_WHEN)
WriteMode = Literal["overwrite", "append", "merge"]
WRITE_MODES: tuple[WriteMode, ...] = ("overwrite", "append", "merge")
USER_FOLDER = "user"  # under paths.gold: user tables never share a folder with contract tables


@dataclass(frozen=True)
class UserTable:
    label: str  # the asset key, for messages
    path: str
    mode: WriteMode = "overwrite"
    merge_keys: tuple[str, ...] = ()
    sequence_by: str | None = None
    delete_when: str | None = None
    partition_column: str | None = None

    @property
    def location(self) -> TableLocation:
        return TableLocation(self.label, self.path, None, True)


def user_table(
    label: str,
    key: Sequence[str],
    metadata: Mapping[str, Any],
    paths: Mapping[str, str],
    data_root: Path,
    partitioned: bool,
) -> UserTable:
    """The asset's table from its definition metadata; a ValueError names the key to fix."""
    given = {k: _plain(v) for k, v in metadata.items() if k.startswith("lakehouse/")}
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        raise ValueError(
            f"{label}: unknown metadata key {unknown[0]!r}; the Delta IO manager reads "
            f"{', '.join(KEYS)}"
        )
    mode = given.get(WRITE_MODE, "overwrite")
    if mode not in WRITE_MODES:
        raise ValueError(
            f"{label}: {WRITE_MODE} {mode!r} is not one of {', '.join(WRITE_MODES)}; fix the "
            "asset's metadata"
        )
    if mode != "merge":
        for k in MERGE_ONLY:
            if k in given:
                raise ValueError(
                    f"{label}: {k} applies to {WRITE_MODE} 'merge' only (this asset's is "
                    f"{mode!r}); set {WRITE_MODE}: merge or remove {k}"
                )
    keys = _names(label, MERGE_KEYS, given.get(MERGE_KEYS))
    if mode == "merge" and not keys:
        raise ValueError(
            f"{label}: {WRITE_MODE} 'merge' needs {MERGE_KEYS}; add {MERGE_KEYS}: ['<column>'] "
            "(the columns that identify a row) to the asset's metadata"
        )
    partition_column = _name(label, PARTITION_COLUMN, given.get(PARTITION_COLUMN))
    if partitioned and not partition_column:
        raise ValueError(
            f"{label}: a partitioned asset needs {PARTITION_COLUMN}, the column that holds "
            f"the partition key (filled in when the output lacks it); add it to the metadata"
        )
    delete_when = given.get(DELETE_WHEN)
    if delete_when is not None and (not isinstance(delete_when, str) or not delete_when.strip()):
        raise ValueError(
            f"{label}: {DELETE_WHEN} must be SQL text on the incoming row, e.g. \"s.op = 'D'\""
        )
    return UserTable(
        label,
        _path(label, key, given.get(PATH), paths, data_root),
        cast(WriteMode, mode),
        keys,
        _name(label, SEQUENCE_BY, given.get(SEQUENCE_BY)),
        delete_when,
        partition_column,
    )


def _plain(value: Any) -> Any:
    """Dagster may hand definition metadata back wrapped (JsonMetadataValue, TextMetadataValue)."""
    return value.value if isinstance(value, MetadataValue) else value


def _names(label: str, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"{label}: {key} must be a list of column names or a comma string")
    return tuple(n for n in (_name(label, key, i.strip()) for i in items) if n)


def _name(label: str, key: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not is_identifier(value):
        raise ValueError(
            f"{label}: {key} {value!r} is not a column name (letters, digits and _ only)"
        )
    return value


def _path(
    label: str, key: Sequence[str], given: Any, paths: Mapping[str, str], data_root: Path
) -> str:
    if given is not None:
        if not isinstance(given, str) or not given.strip():
            raise ValueError(f"{label}: {PATH} must be a table path (text)")
        return absolute_path(given, data_root)
    if any(part in ("", ".", "..") or "/" in part or "\\" in part for part in key):
        raise ValueError(f"{label}: the asset key cannot name a folder; set {PATH}")
    base = paths.get("gold") or str(data_root)
    return "/".join([base.rstrip("/"), USER_FOLDER, *key])


def keys_are_days(partitions_def: PartitionsDefinition | None) -> bool:
    """Daily, weekly or monthly partitions: their keys are ISO days, stored as DATE values."""
    return (
        isinstance(partitions_def, TimeWindowPartitionsDefinition)
        and partitions_def.fmt == "%Y-%m-%d"
    )


# A row belongs to partition k when its partition column, as text, is k: the SQL form of
# tables/physical.partition_expression (delta-rs replaceWhere, Spark reads).
def partition_predicate(column: str, partitions: Sequence[str]) -> str:
    return f"CAST({quote(column)} AS STRING) IN ({', '.join(sql_string(k) for k in partitions)})"


def require_written(table: UserTable, reader: str, partitions: Sequence[str] | None) -> None:
    """A Failure naming the upstream asset when its table does not exist yet."""
    if is_delta_table(table.path):
        return
    day = f" --partition {partitions[0]}" if partitions and len(partitions) == 1 else ""
    raise Failure(
        description=f"{reader}: upstream {table.label} never materialized (no Delta table at "
        f"{table.path}); materialize it first (--select {table.label}{day})"
    )


def read_user_table(
    table: UserTable,
    kind: FrameKind,
    partitions: Sequence[str] | None,
    spark: SparkSession | None = None,
) -> Any:
    """The table (only the given partitions' rows) as the kind asked: Spark through the engine,
    any other through delta-rs, so an Arrow-only pipeline never starts the engine."""
    column = table.partition_column
    if kind == "spark":
        assert spark is not None
        df: DataFrame = table.location.read(spark)
        return df.where(partition_predicate(column, partitions)) if column and partitions else df
    return from_arrow(read_arrow(table.path, column, partitions), kind)


def read_arrow(path: str, column: str | None, partitions: Sequence[str] | None) -> pa.Table:
    data = delta_table(path).to_pyarrow_dataset()
    if column and partitions:
        return data.to_table(filter=partition_expression(column, partitions))
    return data.to_table()
