"""The key slice a merge works on: the batch's distinct keys, and the rows of a Delta table
that hold them, read with delta-rs so that files and row groups outside the keys' range are
skipped by their statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

_KEY_SEPARATOR = "\x1f"  # joins a composite key's parts into one comparable string


def batch_keys(source: Any, keys: list[str]) -> pa.Table:
    """The batch's distinct non-null keys."""
    import pyarrow.compute as pc

    rows = source.to_pyarrow_table(columns=keys)
    for k in keys:
        rows = rows.filter(pc.is_valid(rows[k]))
    return rows.group_by(keys).aggregate([])


def read_slice(table: Any, keys: list[str], batch: pa.Table) -> pa.Table:
    """The table's rows whose keys are in the batch. The keys' min/max bounds drop files by
    their log statistics before the dataset is built (its cost follows the files kept), then
    row groups by theirs, before the exact membership test."""
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = pa.schema(table.schema().to_arrow())
    if batch.num_rows == 0 or not table.file_uris():  # a first load: the filter alone cost 0.3 s
        return schema.empty_table()
    batch = batch.select(keys).cast(nullable(schema, keys))
    condition, pruning = None, []
    for k in keys:
        values = batch[k].combine_chunks()
        low, high = pc.min_max(values).values()
        part = (pc.field(k) >= low) & (pc.field(k) <= high) & pc.field(k).isin(values)
        condition = part if condition is None else condition & part
        if _prunable(values.type):
            pruning += [(k, ">=", low.as_py()), (k, "<=", high.as_py())]
    dataset = table.to_pyarrow_dataset(file_pruning_predicate=pruning or None)
    try:
        rows = dataset.to_table(filter=condition)
    except pa.ArrowNotImplementedError:
        # A file whose physical type differs from the table's (string_view written by another
        # tool) defeats statistics pushdown: filter after reading instead.
        rows = dataset.to_table().cast(dataset.schema).filter(condition)
    if len(keys) > 1:  # per-column membership is a superset for composite keys: refine
        rows = rows.filter(
            pc.is_in(identity_values(rows, keys), value_set=identity_values(batch, keys))
        )
    return rows


def _prunable(key_type: pa.DataType) -> bool:
    """Key types whose bounds delta-rs compares exactly against file statistics (it takes
    plain Python values; timestamps' time zones and decimals' scales are left to the scan)."""
    import pyarrow.types as t

    return t.is_integer(key_type) or t.is_string(key_type) or t.is_date32(key_type)


def identity_values(table: pa.Table, columns: list[str]) -> pa.Array:
    """One comparable value per row for the identity columns (joined text if several)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table, columns = flat_columns(table.select(columns), columns)
    if len(columns) == 1:
        return table[columns[0]].combine_chunks()
    parts = [pc.cast(table[c], pa.string()) for c in columns]
    separator = pa.scalar(_KEY_SEPARATOR, pa.string())
    # The stubs take only arrays here; Arrow documents a scalar separator as the last argument.
    join: Any = pc.binary_join_element_wise
    return join(*parts, separator).combine_chunks()


def flat_columns(table: pa.Table, columns: list[str]) -> tuple[pa.Table, list[str]]:
    """The table with each struct column replaced by its fields (`col.field`, recursively) and
    `columns` named the same way: pyarrow cannot cast, compare or sort a struct (scd2's
    valid_from with several sequence_by columns). A table without structs comes back as is."""
    import pyarrow.types as t

    while any(t.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    names = table.column_names
    return table, [n for c in columns for n in names if n == c or n.startswith(f"{c}.")]


def nullable(schema: pa.Schema, columns: list[str]) -> pa.Schema:
    """These columns of the schema, all nullable: a cast then accepts rows from any source."""
    import pyarrow as pa

    return pa.schema([schema.field(c).with_nullable(True) for c in columns])
