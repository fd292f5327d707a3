"""When silver and gold rebuild on their own: Dagster declarative automation from contracts.

`automation` (promotion contract for silver, table contract for gold): `eager` (default) runs
after any upstream update, `on_cron` once per `schedule` tick after upstreams updated, `none`
leaves the asset to sensors, schedules and people.
"""

from __future__ import annotations

from dagster import AutomationCondition, BackfillPolicy

from lakehouse_assets.contracts.project import TableAsset

DEFAULT_CRON = "0 * * * *"


def _settings(table: TableAsset) -> tuple[str, str | None]:
    if table.kind == "bronze":
        return "none", None
    if table.kind == "silver":
        assert table.promotion is not None
        return table.promotion.automation, table.promotion.schedule
    return table.contract.automation, table.contract.schedule


def automation_condition(table: TableAsset) -> AutomationCondition | None:
    mode, cron = _settings(table)
    if mode == "eager":
        return AutomationCondition.eager()
    if mode == "on_cron":
        return AutomationCondition.on_cron(cron or DEFAULT_CRON)
    return None


def backfill_policy(table: TableAsset) -> BackfillPolicy | None:
    """Bronze and silver read a range in one run (one Spark job instead of one per day).

    Silver stays correct for a range: every strategy keeps the latest event per key by its
    order column and merges sequence-guarded, which is what applying the days in date order
    gives (tests/test_backfill.py checks range == day-by-day).
    """
    return BackfillPolicy.single_run() if table.partitioned else None
