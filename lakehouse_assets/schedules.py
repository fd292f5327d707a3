"""Optional cron `schedule` per contract -> a job and a schedule for that one asset.

Bronze and silver (daily partitions) materialize the partition of the tick's date (UTC);
gold rebuilds whole. A silver or gold contract with `automation: on_cron` uses its schedule as
an automation condition instead (see assets/automation.py), so no schedule is made for it.
"""

from __future__ import annotations

from typing import Any

from dagster import (
    AssetSpec,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from lakehouse_assets.assets.names import DefinitionNames
from lakehouse_assets.assets.specs import ContractSpecs
from lakehouse_assets.contracts.project import Project, TableAsset

AssetJob = Any  # dagster's AssetJob is not exported at the top level


def cron_of(table: TableAsset) -> str | None:
    if table.kind == "bronze":
        return table.ingestion.schedule if table.ingestion else None
    if table.kind == "silver":
        promo = table.promotion
        return promo.schedule if promo and promo.automation != "on_cron" else None
    contract = table.contract
    return contract.schedule if contract.automation != "on_cron" else None


def schedule_for(
    table: TableAsset, spec: AssetSpec, cron: str, names: DefinitionNames | None = None
) -> tuple[AssetJob, ScheduleDefinition]:
    """A job and schedule for the asset of `spec` (its key, its partitions)."""
    key = spec.key
    base = (names or DefinitionNames()).name(key.to_python_identifier())
    job = define_asset_job(f"{base}__job", selection=[key])  # partitioned like its asset
    if spec.partitions_def is None:
        return job, ScheduleDefinition(
            name=f"{base}__schedule",
            job=job,
            cron_schedule=cron,
            execution_timezone="UTC",
            default_status=DefaultScheduleStatus.STOPPED,
        )

    @schedule(
        name=f"{base}__schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.STOPPED,
    )
    def _tick(context: ScheduleEvaluationContext) -> RunRequest:
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return RunRequest(
            run_key=f"{base}:{day}:{context.scheduled_execution_time}", partition_key=day
        )

    return job, _tick


def contract_schedules(
    project: Project, specs: ContractSpecs, names: DefinitionNames | None = None
) -> tuple[list[AssetJob], list[ScheduleDefinition]]:
    jobs: list[AssetJob] = []
    schedules: list[ScheduleDefinition] = []
    for table in project.assets.values():
        cron = cron_of(table)
        if cron:
            job, sched = schedule_for(table, specs.spec(table.key), cron, names)
            jobs.append(job)
            schedules.append(sched)
    return jobs, schedules
