"""Rules -> Dagster AssetCheckSpecs: one per rule, plus the row accounting and schema migration
checks every built table gets. ERROR-severity checks (fail rules, destructive migrations) are
blocking: downstream assets of the same run do not materialize."""

from __future__ import annotations

from dagster import AssetCheckSpec, AssetKey

from lakehouse_assets.checks.rules import Rule, rules_for
from lakehouse_assets.contracts.project import TableAsset

ROW_ACCOUNTING, SCHEMA_MIGRATION = "row_accounting", "schema_migration"
QUARANTINED_ON_LOAD = "quarantined_on_load"


def rule_spec(key: AssetKey, rule: Rule) -> AssetCheckSpec:
    return AssetCheckSpec(
        rule.name,
        asset=key,
        blocking=rule.action == "fail",
        description=f"[{rule.kind}, on failure: {rule.action}] {rule.description}",
    )


def check_specs(asset: TableAsset, key: AssetKey) -> list[AssetCheckSpec]:
    specs = [rule_spec(key, r) for r in rules_for(asset)]
    specs.append(
        AssetCheckSpec(
            SCHEMA_MIGRATION,
            asset=key,
            blocking=True,
            description="the live table can take this contract without a "
            "destructive change (see `lakehouse plan`)",
        )
    )
    if asset.partitioned:
        specs.append(
            AssetCheckSpec(
                ROW_ACCOUNTING,
                asset=key,
                blocking=True,
                description="rows in = rows written + rows quarantined "
                "(+ older events of the same key, silver)",
            )
        )
        specs.append(
            AssetCheckSpec(
                QUARANTINED_ON_LOAD,
                asset=key,
                description="warns when rows could not be loaded (malformed, "
                "not of their type, NULL key or op...); they are "
                "in <table>_quarantine with the reason",
            )
        )
    return specs
