"""The daily partitions every partitioned contract asset shares (bronze by `_ingested_date`,
silver by the day of its batch): one definition, so silver's days map onto bronze's."""

from __future__ import annotations

from dagster import DailyPartitionsDefinition

from lakehouse_assets.contracts.project import Project


def daily_partitions(project: Project, start: str | None = None) -> DailyPartitionsDefinition:
    """From `start` (YYYY-MM-DD), else config.json's PARTITION_START_DATE."""
    # end_offset=1: today's partition exists, so files landing today can be ingested today.
    return DailyPartitionsDefinition(
        start_date=start or project.config.PARTITION_START_DATE, end_offset=1
    )
