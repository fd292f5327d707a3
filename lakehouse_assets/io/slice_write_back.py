"""Write a key slice's new state back to its Delta table with delta-rs.

Rows the table holds are updated or deleted by one MERGE on the plan's row identity (files
outside the batch's key range are skipped, only files with a changed row are rewritten), then
new rows go to new files by an insert-only MERGE. Keeping inserts out of rewritten files keeps
the cost flat; the price is two commits per table, and a reader between them sees the updates
without the new rows. A run that fails between them is repaired by re-running it: the slice
then holds the rows already written, and the plan converges to the same state.

delta-rs checkpoints every 100 commits by default, Spark and Sail every 10: the write-back
checkpoints on the engines' schedule, or else reading the table would replay a log that grows
by two commits a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.io.key_slice import flat_columns, identity_values, nullable

if TYPE_CHECKING:
    import pyarrow as pa

DELETE_FLAG = "_lh_slice_delete"  # source rows that delete their identity from the target
CHECKPOINT_INTERVAL = 10  # Delta's default delta.checkpointInterval, as Spark and Sail use it


@dataclass
class Slice:
    identity: list[str]
    table: Any  # the DeltaTable the slice was read from: loaded once, written back at its version
    before: pa.Table
    scratch: str


def write_back(piece: Slice, after: pa.Table) -> dict[str, int]:
    """Apply the slice's new state to the real table: rows that changed are updated and rows
    gone are deleted by one MERGE on the row identity; new rows go in by a second, insert-only
    MERGE. A table whose slice did not change gets no commit (a re-run commits nothing)."""
    import pyarrow.compute as pc

    # In the table's own types: the engine may hand back string_view where the table has string.
    after = after.select(piece.before.column_names).cast(piece.before.schema)
    before, identity = piece.before, piece.identity
    before_ids, after_ids = identity_values(before, identity), identity_values(after, identity)
    known = pc.is_in(after_ids, value_set=before_ids)
    stays = pc.is_in(before_ids, value_set=after_ids)
    changed = _changed(before.filter(stays), after.filter(known), identity)
    gone = before.filter(pc.invert(stays)).select(identity)
    fresh = after.filter(pc.invert(known))
    counts = {"rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0, "files_rewritten": 0}
    table = piece.table
    read_version = table.version()
    if changed.num_rows or gone.num_rows:
        counts.update(_merge_existing(table, identity, changed, gone))
    if fresh.num_rows:
        counts["rows_inserted"] = _insert_new(table, identity, fresh)
    checkpoint_when_due(table, read_version)
    return counts


def _changed(old: pa.Table, new: pa.Table, identity: list[str]) -> pa.Table:
    """The rows of `new` that differ from the row of `old` with the same identity, so the
    MERGE reads and rewrites only what changed (scd2's event log mostly gains rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # Compared field by field where a column is a struct (io/key_slice.py flat_columns).
    flat_old, keys = flat_columns(old, identity)
    flat_new, _ = flat_columns(new, identity)
    order: list[tuple[str, Literal["ascending", "descending"]]] = [(c, "ascending") for c in keys]
    old_at = pc.sort_indices(flat_old, sort_keys=order)
    new_at = pc.sort_indices(flat_new, sort_keys=order)
    old, new = old.take(old_at), new.take(new_at)
    flat_old, flat_new = flat_old.take(old_at), flat_new.take(new_at)
    if not identity_values(old, identity).equals(identity_values(new, identity)):
        return new  # identities not one-to-one (a table with duplicate rows): send them all
    differs = None
    # A struct column's own NULL too: a NULL struct and one of NULL fields flatten alike.
    structs = [c for c in new.column_names if c not in identity and c not in flat_new.column_names]
    pairs = [(pc.is_null(old[c]), pc.is_null(new[c])) for c in structs]
    pairs += [(flat_old[c], flat_new[c]) for c in flat_new.column_names if c not in keys]
    for a, b in pairs:
        column = pc.or_(
            pc.fill_null(pc.not_equal(a, b), pa.scalar(False)), pc.xor(pc.is_null(a), pc.is_null(b))
        )
        differs = column if differs is None else pc.or_(differs, column)
    if differs is None:  # identity columns only
        return new.slice(0, 0)
    return new.filter(cast("pa.ChunkedArray", differs))


def checkpoint_when_due(table: Any, read_version: int) -> None:
    """Checkpoint if this write crossed a multiple of the table's checkpoint interval."""
    interval = int(
        table.metadata().configuration.get("delta.checkpointInterval", CHECKPOINT_INTERVAL)
    )
    if table.version() // interval > read_version // interval:
        table.create_checkpoint()


def _merge_existing(
    table: Any, identity: list[str], changed: pa.Table, gone: pa.Table
) -> dict[str, int]:
    """Update changed rows and delete gone ones. New rows are kept out of this MERGE on
    purpose: delta-rs writes a MERGE's inserts into the files it rewrites, so the file holding
    recent keys would grow with every batch and each merge would rewrite more."""
    import pyarrow as pa

    schema = nullable(changed.schema, changed.column_names)
    source = pa.concat_tables(
        [
            changed.cast(schema).append_column(DELETE_FLAG, pa.repeat(False, changed.num_rows)),
            gone.cast(nullable(schema, identity)).append_column(
                DELETE_FLAG, pa.repeat(True, gone.num_rows)
            ),
        ],
        promote_options="default",
    )
    values = [c for c in changed.column_names if c not in identity]
    flag = f"s.{quote(DELETE_FLAG)}"
    merge = table.merge(
        source,
        _match(identity, changed.schema),
        source_alias="s",
        target_alias="t",
        streamed_exec=False,
    ).when_matched_delete(predicate=flag)
    if values:
        differs = " OR ".join(f"(t.{quote(c)} IS DISTINCT FROM s.{quote(c)})" for c in values)
        merge = merge.when_matched_update(
            {quote(c): f"s.{quote(c)}" for c in values}, predicate=f"NOT {flag} AND ({differs})"
        )
    metrics = merge.execute()
    return {
        "rows_updated": metrics.get("num_target_rows_updated", 0),
        "rows_deleted": metrics.get("num_target_rows_deleted", 0),
        "files_rewritten": metrics.get("num_target_files_removed", 0),
    }


def _insert_new(table: Any, identity: list[str], fresh: pa.Table) -> int:
    """Insert-only MERGE: delta-rs writes the rows to new files and rewrites none, and unlike
    a blind append it never duplicates a row a concurrent run inserted meanwhile."""
    metrics = (
        table.merge(
            fresh,
            _match(identity, fresh.schema),
            source_alias="s",
            target_alias="t",
            streamed_exec=False,
        )
        .when_not_matched_insert({quote(c): f"s.{quote(c)}" for c in fresh.column_names})
        .execute()
    )
    return int(metrics.get("num_target_rows_inserted", 0))


def _match(identity: list[str], schema: pa.Schema) -> str:
    """The write-back MERGE condition: identity columns are never null (keys, order values).
    A struct column is matched field by field: delta-rs cannot compare structs in a MERGE."""
    import pyarrow.types as t

    def paths(prefix: str, kind: pa.DataType) -> list[str]:
        if not t.is_struct(kind):
            return [prefix]
        return [p for f in kind for p in paths(f"{prefix}.{quote(f.name)}", f.type)]

    columns = [p for c in identity for p in paths(quote(c), schema.field(c).type)]
    return " AND ".join(f"t.{c} = s.{c}" for c in columns)
