"""Run a strategy's merge plan: as the engine's own MERGE where it skips files, else by key
slice (io/key_slice_merge.py), so a merge costs what its batch costs on every engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io import key_slice_merge
from lakehouse_assets.io.plan_runner import run_plan
from lakehouse_assets.strategies.base import MergeContext, MergePlan
from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def execute_merge(
    spark: SparkSession,
    capabilities: Capabilities,
    plan_for: Callable[[MergeContext], MergePlan],
    ctx: MergeContext,
    locations: list[TableLocation],
    whole_table: bool = False,
) -> dict[str, Any]:
    """`locations`: every table the plan writes (ctx.target, and ctx.companion if set).
    Both ways report `merge_source_rows`: the rows the merge received, for the accounting.
    `whole_table`: the plan writes rows of keys outside the batch (a truncate), so it runs
    as the engine's MERGE: a key slice would not hold them."""
    if not whole_table and key_slice_merge.applies(capabilities, locations):
        return key_slice_merge.run(spark, plan_for, ctx, locations)
    plan = plan_for(ctx)
    received = spark.table(ctx.source).count()
    run_plan(spark, plan)
    return {"merge": plan.summary, "merge_source_rows": received}
