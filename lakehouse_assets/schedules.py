"""Optional cron `schedule` per contract -> a job and a schedule for that one asset.

Bronze and silver (daily partitions) materialize the partition of the tick's date (UTC);
gold rebuilds whole. A silver or gold contract with `automation: on_cron` uses its schedule as
an automation condition instead (see assets/automation.py), so no schedule is made for it.
"""

from __future__ import annotations

from typing import Any

from dagster import (
    AssetKey,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

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


def _name(table: TableAsset) -> str:
    return "__".join(table.key)


def schedule_for(
    table: TableAsset, cron: str, partitions: DailyPartitionsDefinition
) -> tuple[AssetJob, ScheduleDefinition]:
    key = AssetKey(list(table.key))
    if not table.partitioned:
        job = define_asset_job(f"{_name(table)}__job", selection=[key])
        return job, ScheduleDefinition(
            name=f"{_name(table)}__schedule",
            job=job,
            cron_schedule=cron,
            execution_timezone="UTC",
            default_status=DefaultScheduleStatus.STOPPED,
        )
    job = define_asset_job(f"{_name(table)}__job", selection=[key], partitions_def=partitions)

    @schedule(
        name=f"{_name(table)}__schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.STOPPED,
    )
    def _tick(context: ScheduleEvaluationContext) -> RunRequest:
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return RunRequest(
            run_key=f"{_name(table)}:{day}:{context.scheduled_execution_time}", partition_key=day
        )

    return job, _tick


def contract_schedules(
    project: Project, partitions: DailyPartitionsDefinition
) -> tuple[list[AssetJob], list[ScheduleDefinition]]:
    jobs: list[AssetJob] = []
    schedules: list[ScheduleDefinition] = []
    for table in project.assets.values():
        cron = cron_of(table)
        if cron:
            job, sched = schedule_for(table, cron, partitions)
            jobs.append(job)
            schedules.append(sched)
    return jobs, schedules
