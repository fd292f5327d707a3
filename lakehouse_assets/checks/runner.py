"""Inside an asset's run: judge its batch, set dropped rows aside, write, then judge the table.

Order matters: the schema migration check and the row rules run before the write, so drop
rules act before anything is written and a failing `expect_or_fail` (or a destructive schema
difference) writes nothing; table rules (freshness, unique merge keys) judge the written table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, Failure, Output
from dagster import MetadataValue as MV

from lakehouse_assets.checks.evaluate import (
    Outcome,
    freshness_outcome,
    split_rows,
    unique_outcome,
)
from lakehouse_assets.checks.rules import rules_for
from lakehouse_assets.checks.specs import QUARANTINED_ON_LOAD, ROW_ACCOUNTING, SCHEMA_MIGRATION
from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.quarantine_rows import combine_rejected
from lakehouse_assets.migrations.plan import plan_for
from lakehouse_assets.strategies.cdc_merge import DELETE_OPS
from lakehouse_assets.tables.location import locate_key, quarantine_location
from lakehouse_assets.tables.physical import INGESTED_DATE, partition_filter
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Event = Output | AssetCheckResult


def check_result(key: AssetKey, outcome: Outcome) -> AssetCheckResult:
    rule = outcome.rule
    meta: dict[str, Any] = {"failing_rows": MV.int(outcome.failing),
                            "rows_checked": MV.int(outcome.checked), "action": rule.action,
                            "rule": rule.description}
    if outcome.samples:
        meta["sample_rows"] = MV.json(outcome.samples)
    if outcome.detail:
        meta["detail"] = outcome.detail
    severity = AssetCheckSeverity.ERROR if rule.severity == "ERROR" else AssetCheckSeverity.WARN
    return AssetCheckResult(asset_key=key, check_name=rule.name, passed=outcome.passed,
                            severity=severity, metadata=meta)


def _exempt(asset: TableAsset, columns: list[str]) -> str | None:
    """cdc_merge deletes carry only a key: rules do not apply to them."""
    promo = asset.promotion
    if promo is None or promo.strategy != "cdc_merge" or promo.op_col not in columns:
        return None
    ops = ", ".join(f"'{o}'" for o in sorted(DELETE_OPS))
    return f"upper({quote(promo.op_col)}) IN ({ops})"


def checked_materialization(
    key: AssetKey, spark: SparkSession, capabilities: Capabilities, project: Project,
    asset: TableAsset, batch: TableBatch,
) -> Iterator[Event]:
    plan = plan_for(spark, project, asset, capabilities)
    yield AssetCheckResult(
        asset_key=key, check_name=SCHEMA_MIGRATION, passed=not plan.destructive,
        severity=AssetCheckSeverity.ERROR,
        metadata={"plan": plan.render(), "safe_steps": MV.int(len(plan.safe_steps)),
                  "destructive_steps": MV.int(len(plan.destructive))})
    if plan.destructive:
        raise Failure(f"{plan.label}: the contract needs destructive changes, nothing written:\n"
                      f"{plan.render()}\nSee `lakehouse plan`.")
    rules = rules_for(asset)
    rejected_before = (batch.rejected_rows if batch.rejected_rows is not None
                       else batch.rejected.count() if batch.rejected is not None else 0)
    try:
        split = split_rows(batch.data, rules, _exempt(asset, batch.data.columns))
    except Exception as exc:
        named = _bad_rule(asset, batch, rules)
        if named is None:
            raise
        raise named from exc
    yield from (check_result(key, o) for o in split.outcomes)
    failed = [o.rule.name for o in split.outcomes if o.rule.action == "fail" and not o.passed]
    if failed:
        raise Failure(f"{asset.key_string}: expect_or_fail rules {failed} failed; nothing was "
                      "written (see the check results for failing rows)")
    facts = dict(batch.facts)
    written = split.rows_in - split.rows_dropped
    quarantined = rejected_before + split.rows_dropped
    superseded = 0
    if asset.kind == "silver" and "rows_in" in facts:
        superseded = (int(facts["rows_in"]) - int(facts.get("rows_filtered", 0))
                      - split.rows_in - rejected_before)
    rows_in = written + quarantined + superseded + int(facts.get("rows_filtered", 0))
    facts.update({"rows_in": rows_in, "rows_written": written, "rows_dropped_by_rules":
                  split.rows_dropped, "rows_rejected_on_load": rejected_before})
    if asset.kind == "silver":
        facts["rows_superseded"] = superseded
    dropped = split.dropped
    if dropped is not None and batch.partitions and INGESTED_DATE not in dropped.columns:
        from pyspark.sql import functions as F

        dropped = dropped.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
    out = TableBatch(split.kept, combine_rejected(batch.rejected, dropped),
                     batch.partitions, facts, rejected_rows=quarantined)
    yield Output(out)
    yield from _after_write(key, spark, capabilities, project, asset, out, rules, quarantined)


def _bad_rule(asset: TableAsset, batch: TableBatch, rules: list) -> ValueError | None:
    """Name the rule whose SQL the engine refuses (the one-pass query cannot say which)."""
    from pyspark.sql import functions as F

    for rule in rules:
        if rule.predicate is None:
            continue
        try:
            batch.data.select(F.expr(f"({rule.predicate})")).limit(0).collect()
        except Exception as exc:
            first = str(exc).strip().splitlines()[0][:300]
            return ValueError(f"{asset.key_string}: rule {rule.name!r} ({rule.predicate}) is not "
                              f"valid SQL on this table's batch: {first}; fix it in the contract "
                              f"(columns: {', '.join(batch.data.columns)})")
    return None


def _after_write(
    key: AssetKey, spark: SparkSession, capabilities: Capabilities, project: Project,
    asset: TableAsset, batch: TableBatch, rules: list, quarantined: int,
) -> Iterator[AssetCheckResult]:
    location = locate_key(project, asset.key, capabilities)
    table = location.read(spark)
    for rule in rules:
        if rule.kind == "freshness":
            yield check_result(key, freshness_outcome(table, rule))
        elif rule.kind == "unique_keys":
            where = None
            if asset.promotion is not None and asset.promotion.strategy == "scd2":
                where = f"{quote(asset.promotion.scd2.is_current)} = true"
            yield check_result(key, unique_outcome(table, rule, where))
    if not asset.partitioned:
        return
    where = partition_filter(INGESTED_DATE, batch.partitions)
    target = quarantine_location(location)
    in_quarantine = (table_ops(spark, target, capabilities).rows_in_partitions(
        INGESTED_DATE, batch.partitions) if target.exists(spark) else 0)
    facts = batch.facts
    on_load = int(facts.get("rows_rejected_on_load", 0))
    yield AssetCheckResult(
        asset_key=key, check_name=QUARANTINED_ON_LOAD, passed=on_load == 0,
        severity=AssetCheckSeverity.WARN,
        metadata={"rows_quarantined_on_load": MV.int(on_load),
                  "quarantine_table": quarantine_location(location).label})
    actual_written = (table.where(where).count() if asset.kind == "bronze"
                      else facts["rows_written"])
    ok = in_quarantine == quarantined and actual_written == facts["rows_written"]
    yield AssetCheckResult(
        asset_key=key, check_name=ROW_ACCOUNTING, passed=ok, severity=AssetCheckSeverity.ERROR,
        metadata={"rows_in": MV.int(facts["rows_in"]), "rows_written": MV.int(actual_written),
                  "rows_quarantined": MV.int(in_quarantine),
                  "rows_superseded": MV.int(facts.get("rows_superseded", 0)),
                  "rows_filtered": MV.int(facts.get("rows_filtered", 0)),
                  "equation": f"{facts['rows_in']} = {actual_written} written + {in_quarantine} "
                              f"quarantined + {facts.get('rows_superseded', 0)} superseded + "
                              f"{facts.get('rows_filtered', 0)} filtered"})
