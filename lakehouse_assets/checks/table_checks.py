"""Checks of the written table: freshness and unique merge keys (table rules), the rows set
aside on load (a warning), and the row accounting of the run (checks/accounting.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey
from dagster import MetadataValue as MV

from lakehouse_assets.checks.accounting import RowAccount
from lakehouse_assets.checks.evaluate import Outcome, freshness_outcome, unique_outcome
from lakehouse_assets.checks.judge import Judged
from lakehouse_assets.checks.rules import Rule
from lakehouse_assets.checks.specs import QUARANTINED_ON_LOAD, ROW_ACCOUNTING
from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.strategies.registry import strategy_for
from lakehouse_assets.tables.location import TableLocation, quarantine_location

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def check_result(key: AssetKey, outcome: Outcome) -> AssetCheckResult:
    rule = outcome.rule
    meta: dict[str, Any] = {
        "failing_rows": MV.int(outcome.failing),
        "rows_checked": MV.int(outcome.checked),
        "action": rule.action,
        "rule": rule.description,
    }
    if outcome.samples:
        meta["sample_rows"] = MV.json(outcome.samples)
    if outcome.detail:
        meta["detail"] = outcome.detail
    severity = AssetCheckSeverity.ERROR if rule.severity == "ERROR" else AssetCheckSeverity.WARN
    return AssetCheckResult(
        asset_key=key, check_name=rule.name, passed=outcome.passed, severity=severity, metadata=meta
    )


def table_checks(
    key: AssetKey,
    spark: SparkSession,
    asset: TableAsset,
    location: TableLocation,
    rules: list[Rule],
    judged: Judged,
    written: dict[str, Any],
) -> Iterator[AssetCheckResult]:
    table = location.read(spark)
    promo = asset.promotion
    unique_where = strategy_for(promo.strategy).unique_rows(promo) if promo else None
    for rule in rules:
        if rule.kind == "freshness":
            yield check_result(key, freshness_outcome(table, rule))
        elif rule.kind == "unique_keys":
            yield check_result(key, unique_outcome(table, rule, unique_where))
    if not asset.partitioned:
        return
    on_load = int(judged.batch.facts.get("rows_rejected_on_load", 0))
    yield AssetCheckResult(
        asset_key=key,
        check_name=QUARANTINED_ON_LOAD,
        passed=on_load == 0,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "rows_quarantined_on_load": MV.int(on_load),
            "quarantine_table": quarantine_location(location).label,
        },
    )
    yield accounting_result(
        key,
        RowAccount(
            read=judged.read,
            written=int(written["rows_written"]),
            quarantined=int(written.get("rows_quarantined", 0)),
            superseded=judged.superseded,
            filtered=judged.filtered,
        ),
    )


def accounting_result(key: AssetKey, account: RowAccount) -> AssetCheckResult:
    meta: dict[str, Any] = {k: MV.int(v) for k, v in account.facts().items()}
    meta["equation"] = account.equation
    return AssetCheckResult(
        asset_key=key,
        check_name=ROW_ACCOUNTING,
        passed=account.balanced,
        severity=AssetCheckSeverity.ERROR,
        metadata=meta,
    )
