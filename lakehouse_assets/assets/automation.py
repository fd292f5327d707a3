"""When silver and gold rebuild on their own: Dagster declarative automation from contracts.

`automation` (promotion contract for silver, table contract for gold): `eager` (default)
follows the data, `on_cron` runs once per `schedule` tick after upstreams updated, `none`
leaves the asset to sensors, schedules and people.

`eager` here is not Dagster's `AutomationCondition.eager()`, which only looks at the latest
day (a late or back-dated bronze file never reached silver) and holds an unpartitioned gold
until every upstream day ever defined exists. Instead:
- silver day P runs when bronze day P was materialized since silver P was last requested or
  materialized, whichever day P is (optionally only the last `automation_lookback_days`);
- gold runs when any upstream (any day) was materialized since gold was last handled, once
  every upstream table has been built at least once;
- neither runs while an upstream or itself is in progress.
Nothing is requested for days no upstream update touched, so a first evaluation never
backfills history (Dagster's `newly_missing` would request every past day).
"""

from __future__ import annotations

from datetime import timedelta

from dagster import AssetSelection, AutomationCondition, BackfillPolicy

from lakehouse_assets.contracts.project import TableAsset

DEFAULT_CRON = "0 * * * *"


def _settings(table: TableAsset) -> tuple[str, str | None]:
    if table.kind == "bronze":
        return "none", None
    if table.kind == "silver":
        assert table.promotion is not None
        return table.promotion.automation, table.promotion.schedule
    return table.contract.automation, table.contract.schedule


def _upstream_updated() -> AutomationCondition:
    """A dep materialized since the previous evaluation, by a run that did not also build this
    asset (that run already used the update). Materializable deps only: a table written
    elsewhere has no days, so an event reported for it would map to every silver day."""
    updated = AutomationCondition.newly_updated() & ~AutomationCondition.executed_with_root_target()
    return (
        AutomationCondition.any_deps_match(updated.with_label("updated by another run"))
        .allow(AssetSelection.all())
        .with_label("upstream updated")
    )


def _not_busy() -> AutomationCondition:
    return (
        ~AutomationCondition.any_deps_in_progress() & ~AutomationCondition.in_progress()
    ).with_label("no upstream or own run in progress")


def follow_upstream_days(lookback_days: int | None = None) -> AutomationCondition:
    """Partitioned silver: day P whose upstream day P updated since P was last handled.

    `since_last_handled` keeps the update remembered while an upstream run is in progress, and
    forgets it once P is requested or materialized; a day whose upstream never updated after
    the first evaluation is never requested (no backfill of history)."""
    condition = (
        _upstream_updated()
        .since_last_handled()
        .with_label("upstream day updated since this day was last requested or materialized")
        & _not_busy()
    )
    if lookback_days is None:
        return condition.with_label("follow upstream days (any day)")
    # The latest window is today's partition (end_offset=1): reach `lookback_days` before it.
    window = AutomationCondition.in_latest_time_window(timedelta(days=lookback_days + 1))
    return (
        window.with_label(f"today or up to {lookback_days} days before") & condition
    ).with_label(f"follow upstream days (last {lookback_days} days)")


def follow_upstream_tables() -> AutomationCondition:
    """Unpartitioned gold: any upstream day or table updated since gold was last handled, and
    every upstream built at least once (not every day: days never built do not hold gold)."""
    built = AutomationCondition.all_deps_match(~AutomationCondition.missing()).allow(
        AssetSelection.all()
    )
    return (
        _upstream_updated()
        .since_last_handled()
        .with_label("upstream updated since last requested or materialized")
        & built.with_label("every upstream built at least once")
        & _not_busy()
    ).with_label("follow upstream tables")


def automation_condition(table: TableAsset) -> AutomationCondition | None:
    mode, cron = _settings(table)
    if mode == "eager":
        if table.partitioned:
            assert table.promotion is not None
            return follow_upstream_days(table.promotion.automation_lookback_days)
        return follow_upstream_tables()
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
