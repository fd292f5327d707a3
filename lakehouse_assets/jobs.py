"""Named asset jobs over a whole contract folder: one day of every daily-partitioned table
(bronze and silver), and every other table (gold). A run launched through them carries that
name in the run list; ad hoc materializations show as `__ASSET_JOB`. The demo runs them."""

from __future__ import annotations

from dagster import AssetKey, define_asset_job

from lakehouse_assets.assets.names import DefinitionNames
from lakehouse_assets.assets.specs import ContractSpecs
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.schedules import AssetJob

DAY_JOB = "bronze_silver_day"
GOLD_JOB = "gold_tables"


def layer_jobs(
    project: Project, specs: ContractSpecs, names: DefinitionNames | None = None
) -> list[AssetJob]:
    """The jobs whose selection is not empty (a folder without gold has no gold job)."""
    names = names or DefinitionNames()
    daily: list[AssetKey] = []
    whole: list[AssetKey] = []
    for key in project.assets:
        spec = specs.spec(key)
        (whole if spec.partitions_def is None else daily).append(spec.key)
    jobs: list[AssetJob] = []
    if daily:
        description = "every bronze and silver table for one day (choose the partition)"
        jobs.append(define_asset_job(names.name(DAY_JOB), selection=daily, description=description))
    if whole:
        description = "every gold table"
        jobs.append(
            define_asset_job(names.name(GOLD_JOB), selection=whole, description=description)
        )
    return jobs
