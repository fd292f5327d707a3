"""A loaded Project -> Dagster assets: one per built table, keyed [layer, schema, table].

No `from __future__ import annotations` here: Dagster reads the context annotation at runtime.
"""

import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AssetSpec,
    BetaWarning,
    asset,
)

from lakehouse_assets.assets.bronze import bronze_batch
from lakehouse_assets.assets.bronze_stream import stream_ingest
from lakehouse_assets.assets.gold import gold_frame
from lakehouse_assets.assets.materialize import materialize
from lakehouse_assets.assets.names import DefinitionNames
from lakehouse_assets.assets.run_scratch import run_scratch
from lakehouse_assets.assets.silver import silver_batch
from lakehouse_assets.assets.specs import ContractSpecs, contract_specs
from lakehouse_assets.assets.translator import ContractTranslator
from lakehouse_assets.checks.specs import check_specs
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.failures import explained_failures
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.upstream import read_partitions, require_materialized
from lakehouse_assets.tables.location import locate_key


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


def _decorator(
    table: TableAsset, specs: ContractSpecs, names: DefinitionNames
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """@asset from the table's one AssetSpec, plus what a spec does not carry (checks,
    backfill policy, pool, IO manager, the engine resource under this folder's key)."""
    spec = specs.spec(table.key)
    translator = specs.translator
    return asset(
        key=spec.key,
        deps=spec.deps,
        description=spec.description,
        metadata=spec.metadata,
        group_name=spec.group_name,
        code_version=spec.code_version,
        automation_condition=spec.automation_condition,
        owners=spec.owners,
        tags=spec.tags,
        kinds=spec.kinds,
        partitions_def=spec.partitions_def,
        freshness_policy=spec.freshness_policy,
        check_specs=check_specs(table, spec.key),
        backfill_policy=translator.get_backfill_policy(table),
        pool=translator.get_pool(table),
        io_manager_key=names.io_manager,
        required_resource_keys={names.spark},
        op_tags={"lakehouse/layer": table.layer},
    )


def _engine(context: AssetExecutionContext, names: DefinitionNames) -> SparkResource:
    return getattr(context.resources, names.spark)


def _bronze(
    project: Project, table: TableAsset, specs: ContractSpecs, names: DefinitionNames
) -> AssetsDefinition:
    @_decorator(table, specs, names)
    @_explained
    def _fn(context: AssetExecutionContext) -> Iterator[Any]:
        spark = _engine(context, names)
        run_id, days = context.run.run_id, _partitions(context)
        with (
            run_scratch(project, run_id, table) as scratch,
            stream_ingest(
                project, table, spark.capabilities, run_id, context.run.tags, days
            ) as ingest,
        ):
            batch = bronze_batch(
                spark.get_session(),
                spark.capabilities,
                project,
                table,
                days,
                run_id,
                scratch,
                select=ingest.select if ingest else None,
            )
            if ingest:  # a streaming contract: append what is new, or replace (bronze_stream)
                batch = ingest.bind(batch)
            if "landing_missing" in batch.facts:
                context.log.warning(f"{table.key_string}: {batch.facts['landing_fix']}")
            yield from _materialize(context, spark, project, table, batch)
            if ingest:
                ingest.done()

    return _fn


def _silver(
    project: Project, table: TableAsset, specs: ContractSpecs, names: DefinitionNames
) -> AssetsDefinition:
    """Silver reads its bronze partitions itself (no IO manager input), so the one pipeline
    keeps the project it was built with; Dagster still sees the dependency and its partitions."""
    source_key = table.deps[0]

    @_decorator(table, specs, names)
    @_explained
    def _fn(context: AssetExecutionContext) -> Iterator[Any]:
        spark = _engine(context, names)
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

    return _fn


def _gold(
    project: Project, table: TableAsset, specs: ContractSpecs, names: DefinitionNames
) -> AssetsDefinition:
    @_decorator(table, specs, names)
    @_explained
    def _fn(context: AssetExecutionContext) -> Iterator[Any]:
        spark = _engine(context, names)
        require_materialized(
            spark.get_session(), project, table.deps, spark.capabilities, table.key_string
        )
        batch = TableBatch(gold_frame(spark.get_session(), spark.capabilities, project, table))
        yield from _materialize(context, spark, project, table, batch)

    return _fn


_BUILDERS = {"bronze": _bronze, "silver": _silver}


def build_assets(
    project: Project,
    translator: ContractTranslator | None = None,
    names: DefinitionNames | None = None,
    specs: ContractSpecs | None = None,
) -> list[AssetsDefinition | AssetSpec]:
    """Every built table as an asset, and every table read but written elsewhere as an
    external AssetSpec; `specs` (else made here with `translator`) names them all."""
    specs = specs or contract_specs(project, translator)
    names = names or DefinitionNames()
    built: list[AssetsDefinition | AssetSpec] = []
    with warnings.catch_warnings():
        # backfill_policy is "beta" in Dagster: the warning would repeat once per asset.
        warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
        for table in project.assets.values():
            builder = _BUILDERS.get(table.kind, _gold)
            built.append(builder(project, table, specs, names))
    built.extend(specs.external.values())
    return built
