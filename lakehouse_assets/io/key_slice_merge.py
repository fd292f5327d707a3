"""Merge a batch at the cost of the batch on an engine whose MERGE reads the whole target.

Sail 0.7 joins a MERGE's source against every file of the target, so each daily merge into a
growing silver table costs more than the last. Every strategy's plan reads and writes only the
rows whose merge keys are in the batch (strategies/base.py, MergePlan.identities), so here:
1. the batch's distinct keys are collected, and the rows holding them are read from each table
   the plan writes (io/key_slice.py);
2. that slice is copied into a scratch Delta table (io/merge_scratch.py) and the strategy's own
   SQL runs there, unchanged, on the same engine: no strategy semantics are re-implemented;
3. the difference is written back to each table with delta-rs (io/slice_write_back.py).
The slice is read at version v and the MERGE commits against v, so delta-rs's conflict check
sees any commit made in between instead of silently overwriting it; the merge then runs again
on fresh slices, as Delta asks of a transaction that lost a conflict (up to ATTEMPTS times).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.identifiers import quote_path
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io.frames import backoff
from lakehouse_assets.io.key_slice import batch_keys, read_slice
from lakehouse_assets.io.merge_scratch import SCRATCH, scratch_folder, sweep_scratch
from lakehouse_assets.io.plan_runner import run_plan
from lakehouse_assets.io.slice_write_back import Slice, write_back
from lakehouse_assets.io.table_lock import table_lock
from lakehouse_assets.storage.delta import delta_table
from lakehouse_assets.storage.scratch import working_dir
from lakehouse_assets.strategies.base import MergeContext, MergePlan
from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession

ATTEMPTS = 5  # tries of a merge that loses its commit to a concurrent writer of the table


def applies(capabilities: Capabilities, locations: list[TableLocation]) -> bool:
    """Used where the engine's MERGE cannot skip files and every table is a Delta path (local
    or on object storage: delta-rs reads and writes both)."""
    return not capabilities.merge_prunes_files and all(
        loc.by_path and loc.path is not None for loc in locations
    )


def run(
    spark: SparkSession,
    plan_for: Callable[[MergeContext], MergePlan],
    ctx: MergeContext,
    locations: list[TableLocation],
) -> dict[str, Any]:
    by_ref = {loc.sql_ref: loc for loc in locations}
    first = next(iter(by_ref.values()))
    assert first.path is not None
    # Beside local tables, so the engine sees the scratch copies wherever it sees the tables;
    # for tables on object storage, in a local folder ($LAKEHOUSE_SCRATCH_DIR): the embedded
    # engine runs on this machine, and slices need not travel to the bucket and back.
    scratch = working_dir(first.path.rstrip("/").rsplit("/", 1)[0]) / SCRATCH
    swept = sweep_scratch(scratch)
    source_view = f"{ctx.source}_staged"
    with scratch_folder(scratch) as root:
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
    staged_table = DeltaTable(staged)
    keys = batch_keys(staged_table, ctx.keys)
    # The rows the merge receives, for the row accounting: from the files' footers, no scan.
    received = staged_table.to_pyarrow_dataset().count_rows()
    attempt = 1
    target = next(iter(by_ref.values()))  # the silver table (side tables follow it)
    while True:
        try:
            with table_lock(target.path, "merge"):  # see io/table_lock.py: no duplicate keys
                facts = _merge_slices(spark, plan_for, ctx, by_ref, keys, root / f"a{attempt}")
            return {**facts, "merge_attempts": attempt, "merge_source_rows": received}
        except CommitFailedError as exc:
            # Another writer committed to a table after its slice was read. What this attempt
            # committed (updates before inserts) is kept: the plan converges, so the next
            # attempt, on fresh slices, completes it.
            if attempt == ATTEMPTS:
                raise RuntimeError(
                    f"{target.label}: {ATTEMPTS} attempts to merge lost to concurrent writers "
                    f"of the same table; run it again once they finish: {exc}"
                ) from exc
        backoff(attempt)  # let the other writer finish
        attempt += 1


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

    slices: dict[str, Slice] = {}
    for n, (ref, identity) in enumerate(plan_for(ctx).identities.items()):
        path = by_ref[ref].path
        assert path is not None  # the key-slice merge only applies to tables by path
        table = delta_table(path)
        before = read_slice(table, ctx.keys, keys)
        scratch = str(scratch_root / f"t{n}")
        write_deltalake(scratch, before, mode="overwrite")
        slices[ref] = Slice(identity, table, before, scratch)
    plan = plan_for(
        replace(
            ctx,
            target=quote_path(slices[ctx.target].scratch),
            companion=quote_path(slices[ctx.companion].scratch) if ctx.companion else None,
        )
    )
    run_plan(spark, plan, scratch=scratch_root)
    facts: dict[str, Any] = {"merge": plan.summary, "merge_batch_keys": keys.num_rows}
    for ref, piece in slices.items():  # in plan order: side tables before the target
        counts = write_back(piece, DeltaTable(piece.scratch).to_pyarrow_table())
        prefix = "merge" if ref == ctx.target else "companion"
        facts.update({f"{prefix}_{k}": v for k, v in counts.items()})
    facts["delta_version"] = slices[ctx.target].table.version()  # no reload to learn it
    return facts
