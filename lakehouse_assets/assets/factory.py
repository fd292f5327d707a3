"""A loaded Project -> Dagster assets: one per built table, keyed [layer, schema, table].

No `from __future__ import annotations` here: Dagster reads the context annotation at runtime.
"""

import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any, cast

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    BetaWarning,
    DailyPartitionsDefinition,
    asset,
)

from lakehouse_assets.assets.automation import automation_condition, backfill_policy
from lakehouse_assets.assets.bronze import bronze_batch
from lakehouse_assets.assets.gold import gold_frame
from lakehouse_assets.assets.materialize import materialize
from lakehouse_assets.assets.run_scratch import run_scratch
from lakehouse_assets.assets.silver import silver_batch
from lakehouse_assets.assets.translator import ContractTranslator
from lakehouse_assets.checks.specs import check_specs
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.failures import explained_failures
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.upstream import read_partitions, require_materialized
from lakehouse_assets.tables.location import locate_key

IO_MANAGER_KEY = "delta_io_manager"


def daily_partitions(project: Project) -> DailyPartitionsDefinition:
    # end_offset=1: today's partition exists, so files landing today can be ingested today.
    return DailyPartitionsDefinition(start_date=project.config.PARTITION_START_DATE, end_offset=1)


def _partitions(context: AssetExecutionContext) -> list[str]:
    return (
        list(context.partition_keys)
        if context.has_partition_key_range or context.has_partition_key
        else []
    )


def _one_partition(context: AssetExecutionContext) -> str | None:
    """The run's day, for a command a message suggests (a range suggests none)."""
    days = _partitions(context)
    return days[0] if len(days) == 1 else None


def _explained(body: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """Every asset body: an engine or value error becomes a one-line Failure (engine.failures).
    functools.wraps keeps the signature Dagster reads for the context and resources."""

    @functools.wraps(body)
    def run(context: AssetExecutionContext, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with explained_failures(context.assets_def.key.to_user_string()):
            yield from body(context, *args, **kwargs)

    return run


def _materialize(
    context: AssetExecutionContext,
    spark: SparkResource,
    project: Project,
    table: TableAsset,
    batch: TableBatch,
) -> Iterator[Any]:
    """Judge, write and check the batch (lakehouse_assets.assets.materialize)."""
    return materialize(
        context.assets_def.key,
        spark.get_session(),
        spark.capabilities,
        project,
        table,
        batch,
        context.run.run_id,
    )


def _common(table: TableAsset, translator: ContractTranslator) -> dict[str, Any]:
    key = translator.get_asset_key(table)
    return {
        "key": key,
        "check_specs": check_specs(table, key),
        "description": translator.get_description(table),
        "group_name": translator.get_group_name(table),
        "owners": translator.get_owners(table),
        "tags": translator.get_tags(table),
        "kinds": translator.get_kinds(table),
        "metadata": translator.get_metadata(table),
        "io_manager_key": IO_MANAGER_KEY,
        "op_tags": {"lakehouse/layer": table.layer},
        "automation_condition": automation_condition(table),
        "backfill_policy": backfill_policy(table),
    }


def _bronze(
    project: Project,
    table: TableAsset,
    translator: ContractTranslator,
    partitions: DailyPartitionsDefinition,
) -> AssetsDefinition:
    common = _common(table, translator)

    @asset(**common, partitions_def=partitions)
    @_explained
    def _fn(context: AssetExecutionContext, spark: SparkResource) -> Iterator[Any]:
        with run_scratch(project, context.run.run_id, table) as scratch:
            batch = bronze_batch(
                spark.get_session(),
                spark.capabilities,
                project,
                table,
                _partitions(context),
                context.run.run_id,
                scratch,
            )
            if "landing_missing" in batch.facts:
                context.log.warning(
                    f"{table.key_string}: landing folder "
                    f"{batch.facts['landing_missing']} does not exist: 0 rows"
                )
            yield from _materialize(context, spark, project, table, batch)

    return cast(AssetsDefinition, _fn)  # what @asset made (**common hides it from pyright)


def _silver(
    project: Project,
    table: TableAsset,
    translator: ContractTranslator,
    partitions: DailyPartitionsDefinition,
) -> AssetsDefinition:
    """Silver reads its bronze partitions itself (no IO manager input), so the one pipeline
    keeps the project it was built with; Dagster still sees the dependency and its partitions."""
    common = _common(table, translator)
    source_key = table.deps[0]

    @asset(**common, partitions_def=partitions, deps=[AssetKey(list(source_key))])
    @_explained
    def _fn(context: AssetExecutionContext, spark: SparkResource) -> Iterator[Any]:
        session = spark.get_session()
        require_materialized(
            session,
            project,
            table.deps,
            spark.capabilities,
            table.key_string,
            _one_partition(context),
        )
        days = _partitions(context)
        location = locate_key(project, source_key, spark.capabilities)
        # A table written outside this lakehouse is read whole: it has no daily partitions.
        source = read_partitions(session, location, days if source_key in project.assets else None)
        with run_scratch(project, context.run.run_id, table) as scratch:
            batch = silver_batch(source, table, days, scratch)
            yield from _materialize(context, spark, project, table, batch)

    return cast(AssetsDefinition, _fn)  # what @asset made (**common hides it from pyright)


def _gold(project: Project, table: TableAsset, translator: ContractTranslator) -> AssetsDefinition:
    common = _common(table, translator)

    @asset(**common, deps=[AssetKey(list(d)) for d in table.deps])
    @_explained
    def _fn(context: AssetExecutionContext, spark: SparkResource) -> Iterator[Any]:
        require_materialized(
            spark.get_session(), project, table.deps, spark.capabilities, table.key_string
        )
        batch = TableBatch(gold_frame(spark.get_session(), spark.capabilities, project, table))
        yield from _materialize(context, spark, project, table, batch)

    return cast(AssetsDefinition, _fn)  # what @asset made (**common hides it from pyright)


def build_assets(
    project: Project, translator: ContractTranslator | None = None
) -> list[AssetsDefinition | AssetSpec]:
    translator = translator or ContractTranslator()
    partitions = daily_partitions(project)
    built: list[AssetsDefinition | AssetSpec] = []
    with warnings.catch_warnings():
        # backfill_policy is "beta" in Dagster: the warning would repeat once per asset.
        warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
        for table in project.assets.values():
            if table.kind == "bronze":
                built.append(_bronze(project, table, translator, partitions))
            elif table.kind == "silver":
                built.append(_silver(project, table, translator, partitions))
            else:
                built.append(_gold(project, table, translator))
    for key, loaded in project.external.items():
        built.append(
            AssetSpec(
                AssetKey(list(key)),
                group_name="external",
                description=f"read by this lakehouse, written elsewhere ({loaded.file.name})",
            )
        )
    return built
