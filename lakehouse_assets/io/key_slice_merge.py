"""Merge a batch at the cost of the batch on an engine whose MERGE reads the whole target.

Sail 0.7 joins a MERGE's source against every file of the target, so each daily merge into a
growing silver table costs more than the last. Every strategy's plan reads and writes only the
rows whose merge keys are in the batch (strategies/base.py, MergePlan.identities), so here:
1. the batch's distinct keys are collected, and the rows holding them are read from each table
   the plan writes (delta-rs; files and row groups skipped by the keys' min/max statistics);
2. that slice is copied into a scratch Delta table and the strategy's own SQL runs there,
   unchanged, on the same engine: no strategy semantics are re-implemented;
3. the difference is written back to each table with delta-rs: rows the table holds are
   updated or deleted by one MERGE on the plan's row identity (files outside the batch's key
   range are skipped, only files with a changed row are rewritten), then new rows go to new
   files by an insert-only MERGE. Keeping inserts out of rewritten files keeps the cost flat;
   the price is two commits per table, and a reader between them sees the updates without the
   new rows. A run that fails between them is repaired by re-running it: the slice then holds
   the rows already written, and the plan converges to the same state.
The slice is read at version v and the MERGE commits against v, so delta-rs's conflict check
sees any commit made in between instead of silently overwriting it; the merge then runs again
on fresh slices, as Delta asks of a transaction that lost a conflict (up to ATTEMPTS times).
delta-rs checkpoints every 100 commits by default, Spark and Sail every 10: the write-back
checkpoints on the engines' schedule, or else reading the table would replay a log that grows
by two commits a day.

Scratch copies live in `.merge_scratch/<id>/` beside the tables, and `<id>.lock` next to it is
held (flock) while the run lives. A run killed mid-merge cannot clean up, but the kernel drops
its lock: every merge first removes the folders whose lock nobody holds, so the next run of any
table of the schema sweeps them. Folders without a lock (from versions before the lock) are
removed once they are an hour old.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.identifiers import quote, quote_path
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io.frames import backoff
from lakehouse_assets.io.plan_runner import run_plan
from lakehouse_assets.io.table_lock import table_lock
from lakehouse_assets.strategies.base import MergeContext, MergePlan
from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession

DELETE_FLAG = "_lh_slice_delete"  # source rows that delete their identity from the target
ATTEMPTS = 5  # tries of a merge that loses its commit to a concurrent writer of the table
CHECKPOINT_INTERVAL = 10  # Delta's default delta.checkpointInterval, as Spark and Sail use it
_KEY_SEPARATOR = "\x1f"  # joins a composite key's parts into one comparable string
SCRATCH = ".merge_scratch"
UNLOCKED_SCRATCH_MAX_AGE_S = 3600  # scratch left without a lock file (older versions)


@dataclass
class _Slice:
    identity: list[str]
    table: Any  # the DeltaTable the slice was read from: loaded once, written back at its version
    before: pa.Table
    scratch: str


def applies(capabilities: Capabilities, locations: list[TableLocation]) -> bool:
    """Used where the engine's MERGE cannot skip files and every table is a local Delta path."""
    return not capabilities.merge_prunes_files and all(
        loc.by_path and loc.is_local_path for loc in locations)


def run(
    spark: SparkSession,
    plan_for: Callable[[MergeContext], MergePlan],
    ctx: MergeContext,
    locations: list[TableLocation],
) -> dict[str, Any]:
    by_ref = {loc.sql_ref: loc for loc in locations}
    first = next(iter(by_ref.values()))
    assert first.path is not None
    # Beside the tables, so the engine sees the scratch copies wherever it sees the tables.
    scratch = Path(first.path).parent / SCRATCH
    swept = sweep_scratch(scratch)
    source_view = f"{ctx.source}_staged"
    with _scratch_folder(scratch) as root:
        try:
            facts = _stage_and_merge(spark, plan_for, ctx, by_ref, root, source_view)
        finally:
            spark.catalog.dropTempView(source_view)
    return {**facts, "merge_scratch_swept": swept} if swept else facts


def _stage_and_merge(
    spark: SparkSession,
    plan_for: Callable[[MergeContext], MergePlan],
    ctx: MergeContext,
    by_ref: dict[str, TableLocation],
    root: Path,
    source_view: str,
) -> dict[str, Any]:
    from deltalake import DeltaTable
    from deltalake.exceptions import CommitFailedError

    # The batch is computed once (bronze read, latest per key) instead of once per statement,
    # and its keys come from the staged copy without another engine query.
    staged = str(root / "source")
    spark.table(ctx.source).write.format("delta").save(staged)
    spark.read.format("delta").load(staged).createOrReplaceTempView(source_view)
    ctx = replace(ctx, source=source_view)
    keys = batch_keys(DeltaTable(staged), ctx.keys)
    attempt = 1
    target = next(iter(by_ref.values()))  # the silver table (side tables follow it)
    while True:
        try:
            with table_lock(target.path, "merge"):  # see io/table_lock.py: no duplicate keys
                facts = _merge_slices(spark, plan_for, ctx, by_ref, keys, root / f"a{attempt}")
            return {**facts, "merge_attempts": attempt}
        except CommitFailedError as exc:
            # Another writer committed to a table after its slice was read. What this attempt
            # committed (updates before inserts) is kept: the plan converges, so the next
            # attempt, on fresh slices, completes it.
            if attempt == ATTEMPTS:
                label = next(iter(by_ref.values())).label
                raise RuntimeError(
                    f"{label}: {ATTEMPTS} attempts to merge lost to concurrent writers of the "
                    f"same table; run it again once they finish: {exc}") from exc
        backoff(attempt)  # let the other writer finish
        attempt += 1


@contextlib.contextmanager
def _scratch_folder(scratch: Path) -> Iterator[Path]:
    """A fresh folder under scratch, its <id>.lock held while the run lives; removed after."""
    import fcntl

    fd, lock = _locked_file(scratch)
    root = lock.with_suffix("")
    try:
        root.mkdir()
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        lock.unlink(missing_ok=True)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        _remove_if_empty(scratch)


def _locked_file(scratch: Path) -> tuple[int, Path]:
    """<id>.lock under scratch, already locked when it gets its name: a sweeper never sees it
    unlocked while this run lives."""
    import fcntl

    for _ in range(3):
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            fd, temp = tempfile.mkstemp(dir=scratch, prefix=".", suffix=".locking")
            break
        except FileNotFoundError:  # another run removed the empty folder meanwhile
            continue
    else:
        raise RuntimeError(f"{scratch}: cannot create a scratch folder there")
    fcntl.flock(fd, fcntl.LOCK_EX)
    lock = scratch / f"{uuid.uuid4().hex[:12]}.lock"
    os.rename(temp, lock)
    return fd, lock


def sweep_scratch(scratch: Path) -> int:
    """Remove the scratch folders of runs that died (their lock is free); returns how many."""
    if not scratch.is_dir():
        return 0
    removed = 0
    for entry in scratch.iterdir():
        if entry.suffix == ".lock":
            removed += _remove_if_unlocked(entry)
        elif _age_s(entry) <= UNLOCKED_SCRATCH_MAX_AGE_S:
            continue  # a folder being locked (.locking) or named right now
        elif entry.suffix == ".locking":  # a run died between creating its lock and naming it
            _unlink(entry)
        elif entry.is_dir() and not entry.with_suffix(".lock").exists():
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _remove_if_unlocked(lock: Path) -> int:
    import fcntl

    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:  # its run just finished
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its run is alive
            return 0
        folder = lock.with_suffix("")
        existed = folder.exists()
        shutil.rmtree(folder, ignore_errors=True)
        _unlink(lock)
        return int(existed)
    finally:
        os.close(fd)


def _age_s(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _merge_slices(
    spark: SparkSession,
    plan_for: Callable[[MergeContext], MergePlan],
    ctx: MergeContext,
    by_ref: dict[str, TableLocation],
    keys: pa.Table,
    scratch_root: Path,
) -> dict[str, Any]:
    """One attempt: read each table's slice, run the plan on copies, write the difference."""
    from deltalake import DeltaTable, write_deltalake

    slices: dict[str, _Slice] = {}
    for n, (ref, identity) in enumerate(plan_for(ctx).identities.items()):
        table = DeltaTable(by_ref[ref].path)
        before = read_slice(table, ctx.keys, keys)
        scratch = str(scratch_root / f"t{n}")
        write_deltalake(scratch, before, mode="overwrite")
        slices[ref] = _Slice(identity, table, before, scratch)
    plan = plan_for(replace(
        ctx, target=quote_path(slices[ctx.target].scratch),
        companion=quote_path(slices[ctx.companion].scratch) if ctx.companion else None))
    run_plan(spark, plan, scratch=scratch_root)
    facts: dict[str, Any] = {"merge": plan.summary, "merge_batch_keys": keys.num_rows}
    for ref, piece in slices.items():  # in plan order: side tables before the target
        counts = write_back(piece, DeltaTable(piece.scratch).to_pyarrow_table())
        prefix = "merge" if ref == ctx.target else "companion"
        facts.update({f"{prefix}_{k}": v for k, v in counts.items()})
    facts["delta_version"] = slices[ctx.target].table.version()  # no reload to learn it
    return facts


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
    if batch.num_rows == 0:
        return schema.empty_table()
    batch = batch.select(keys).cast(_nullable(schema, keys))
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
        rows = rows.filter(pc.is_in(identity_values(rows, keys),
                                    value_set=identity_values(batch, keys)))
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

    if len(columns) == 1:
        return table[columns[0]].combine_chunks()
    parts = [pc.cast(table[c], pa.string()) for c in columns]
    return pc.binary_join_element_wise(*parts, _KEY_SEPARATOR).combine_chunks()


def write_back(piece: _Slice, after: pa.Table) -> dict[str, int]:
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
    _checkpoint_when_due(table, read_version)
    return counts


def _changed(old: pa.Table, new: pa.Table, identity: list[str]) -> pa.Table:
    """The rows of `new` that differ from the row of `old` with the same identity, so the
    MERGE reads and rewrites only what changed (scd2's event log mostly gains rows)."""
    import pyarrow.compute as pc

    order = [(c, "ascending") for c in identity]
    old, new = old.sort_by(order), new.sort_by(order)
    if not identity_values(old, identity).equals(identity_values(new, identity)):
        return new  # identities not one-to-one (a table with duplicate rows): send them all
    differs = None
    for c in new.column_names:
        if c in identity:
            continue
        a, b = old[c], new[c]
        column = pc.or_(pc.fill_null(pc.not_equal(a, b), False),
                        pc.xor(pc.is_null(a), pc.is_null(b)))
        differs = column if differs is None else pc.or_(differs, column)
    return new.slice(0, 0) if differs is None else new.filter(differs)  # identity only


def _checkpoint_when_due(table: Any, read_version: int) -> None:
    """Checkpoint if this write crossed a multiple of the table's checkpoint interval."""
    interval = int(table.metadata().configuration.get(
        "delta.checkpointInterval", CHECKPOINT_INTERVAL))
    if table.version() // interval > read_version // interval:
        table.create_checkpoint()


def _merge_existing(
    table: Any, identity: list[str], changed: pa.Table, gone: pa.Table
) -> dict[str, int]:
    """Update changed rows and delete gone ones. New rows are kept out of this MERGE on
    purpose: delta-rs writes a MERGE's inserts into the files it rewrites, so the file holding
    recent keys would grow with every batch and each merge would rewrite more."""
    import pyarrow as pa

    schema = _nullable(changed.schema, changed.column_names)
    source = pa.concat_tables([
        changed.cast(schema).append_column(DELETE_FLAG, pa.repeat(False, changed.num_rows)),
        gone.cast(_nullable(schema, identity)).append_column(
            DELETE_FLAG, pa.repeat(True, gone.num_rows)),
    ], promote_options="default")
    values = [c for c in changed.column_names if c not in identity]
    flag = f"s.{quote(DELETE_FLAG)}"
    merge = table.merge(
        source, _match(identity),
        source_alias="s", target_alias="t", streamed_exec=False,
    ).when_matched_delete(predicate=flag)
    if values:
        differs = " OR ".join(f"(t.{quote(c)} IS DISTINCT FROM s.{quote(c)})" for c in values)
        merge = merge.when_matched_update({quote(c): f"s.{quote(c)}" for c in values},
                                          predicate=f"NOT {flag} AND ({differs})")
    metrics = merge.execute()
    return {"rows_updated": metrics.get("num_target_rows_updated", 0),
            "rows_deleted": metrics.get("num_target_rows_deleted", 0),
            "files_rewritten": metrics.get("num_target_files_removed", 0)}


def _insert_new(table: Any, identity: list[str], fresh: pa.Table) -> int:
    """Insert-only MERGE: delta-rs writes the rows to new files and rewrites none, and unlike
    a blind append it never duplicates a row a concurrent run inserted meanwhile."""
    metrics = table.merge(
        fresh, _match(identity),
        source_alias="s", target_alias="t", streamed_exec=False,
    ).when_not_matched_insert({quote(c): f"s.{quote(c)}" for c in fresh.column_names}).execute()
    return int(metrics.get("num_target_rows_inserted", 0))


def _match(identity: list[str]) -> str:
    """The write-back MERGE condition: identity columns are never null (keys, order values)."""
    return " AND ".join(f"t.{quote(c)} = s.{quote(c)}" for c in identity)


def _nullable(schema: pa.Schema, columns: list[str]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([schema.field(c).with_nullable(True) for c in columns])


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # another merge still uses it
        folder.rmdir()

