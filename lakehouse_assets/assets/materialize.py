"""One materialization of a table asset, start to end: schema check -> judge the batch ->
write (through the Delta IO manager) -> judge the written table.

The asset body runs this generator with the `TableAsset` it was built for, and keeps it to the
end. The write itself happens in the Delta IO manager, Dagster's place for persistence (the
design card's: it owns Delta writes and merges): the generator yields one `Output` holding a
`TableWrite` (the judged batch plus the table it is bound for), Dagster hands it to the IO
manager before resuming the generator, and the write's facts come back on that object for the
table checks. The IO manager looks nothing up, so no process-wide project cache is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, Failure, Output
from dagster import MetadataValue as MV

from lakehouse_assets.checks.judge import judge
from lakehouse_assets.checks.rules import rules_for
from lakehouse_assets.checks.specs import SCHEMA_MIGRATION
from lakehouse_assets.checks.table_checks import check_result, table_checks
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.table_write import TableWrite
from lakehouse_assets.migrations.plan import plan_for
from lakehouse_assets.tables.location import locate_key

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Event = Output | AssetCheckResult


def materialize(
    key: AssetKey,
    spark: SparkSession,
    capabilities: Capabilities,
    project: Project,
    asset: TableAsset,
    batch: TableBatch,
    run_id: str,
) -> Iterator[Event]:
    yield from _schema_check(key, spark, capabilities, project, asset)
    rules = rules_for(asset)
    judged = judge(asset, batch, rules)
    yield from (check_result(key, o) for o in judged.outcomes)
    judged.stop_if_failed(asset)
    location = locate_key(project, asset.key, capabilities)
    write = TableWrite(asset, location, judged.batch, run_id, spark, capabilities)
    yield Output(write)
    yield from table_checks(key, spark, asset, location, rules, judged, write.written())


def _schema_check(
    key: AssetKey,
    spark: SparkSession,
    capabilities: Capabilities,
    project: Project,
    asset: TableAsset,
) -> Iterator[AssetCheckResult]:
    """The live table can take the contract; a destructive difference stops the run (after
    its check result is recorded)."""
    plan = plan_for(spark, project, asset, capabilities)
    yield AssetCheckResult(
        asset_key=key,
        check_name=SCHEMA_MIGRATION,
        passed=not plan.destructive,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "plan": plan.render(),
            "safe_steps": MV.int(len(plan.safe_steps)),
            "destructive_steps": MV.int(len(plan.destructive)),
        },
    )
    if plan.destructive:
        raise Failure(
            f"{plan.label}: the contract needs destructive changes, nothing written:\n"
            f"{plan.render()}\nSee `lakehouse plan`."
        )
