"""Expectations as Dagster asset checks, on the real engine and real Dagster runs."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from dagster import AssetKey

from lakehouse_assets.checks.evaluate import freshness_outcome, split_rows, unique_outcome
from lakehouse_assets.checks.rules import compile_rule, rules_for
from lakehouse_assets.contracts.expectations import (
    RULE_KINDS,
    DeltaLiveStoreExpectations,
    ExpectationRule,
    expectation_rules,
)
from tests.helpers import delta_rows, run_assets, table_path

DAY4 = "2024-01-04"


def _rule(**spec):
    return compile_rule(ExpectationRule(**spec), "test.json", ["id"])


def test_both_contract_forms_compile():
    dls = DeltaLiveStoreExpectations(
        expect_all={"temp_gt_50": "temp > 50"},
        expect_all_or_drop={"has_id": "id IS NOT NULL"},
        expect_all_or_fail={"sane": "temp < 1000"},
    )
    rules = [compile_rule(r, "x", None) for r in expectation_rules(dls)]
    assert [(r.name, r.action, r.severity) for r in rules] == [
        ("temp_gt_50", "warn", "WARN"),
        ("has_id", "drop", "WARN"),
        ("sane", "fail", "ERROR"),
    ]
    assert _rule(range="amount", min=0, max=10).predicate == "`amount` >= 0 AND `amount` <= 10"
    assert _rule(unique_keys=True, action="fail").columns == ("id",)
    with pytest.raises(ValueError, match="exactly one of"):
        ExpectationRule(not_null="a", unique="b")
    with pytest.raises(ValueError, match="cannot drop rows"):
        ExpectationRule(row_count={"min": 1}, action="drop")
    with pytest.raises(ValueError, match="needs values"):
        ExpectationRule(accepted_values="status")


def test_every_row_and_table_rule_kind_on_the_engine(spark):
    df = spark.createDataFrame(
        [
            (1, "a@x.io", "placed", 5, datetime(2024, 1, 1)),
            (2, "bad", "lost", -1, datetime(2024, 1, 2)),
            (3, None, "placed", 500, None),
            (3, "c@x.io", None, None, datetime(2024, 1, 3)),
        ],
        "id BIGINT, email STRING, status STRING, qty INT, ts TIMESTAMP",
    )
    rules = [
        _rule(name="qty_small", expect="qty < 100"),
        _rule(name="qty_positive", expect_or_drop="qty > 0"),
        _rule(name="no_id_9", expect_or_fail="id <> 9"),
        _rule(not_null="email"),
        _rule(accepted_values="status", values=["placed", "shipped"]),
        _rule(range="qty", min=0, max=1000),
        _rule(regex="email", pattern=r"^[^@\s]+@[^@\s]+$", action="drop"),
        _rule(unique="id"),
        _rule(row_count={"min": 5}),
    ]
    split = split_rows(df, rules)
    failing = {o.rule.name: o.failing for o in split.outcomes}
    assert failing == {
        "qty_small": 1,
        "qty_positive": 1,
        "no_id_9": 0,
        "not_null_email": 1,
        "accepted_values_status": 1,
        "range_qty": 1,
        "regex_email": 1,
        "unique_id": 2,
        "row_count": 1,
    }
    sample = next(o for o in split.outcomes if o.rule.name == "qty_small").samples
    assert sample == [{"id": 3, "email": None, "status": "placed", "qty": 500, "ts": None}]
    assert split.rows_in == 4 and split.rows_dropped == 1
    assert sorted(r["id"] for r in split.kept.collect()) == [1, 3, 3]
    dropped = [r.asDict() for r in split.dropped.collect()]
    assert [(d["id"], d["_failed_rules"]) for d in dropped] == [
        (2, "qty_positive, accepted_values_status, range_qty, regex_email")
    ]
    fresh = freshness_outcome(df, _rule(freshness="ts", max_age_hours=1))
    assert not fresh.passed and "2024-01-03" in fresh.detail
    assert freshness_outcome(df, _rule(freshness="ts", max_age_hours=10**7)).passed
    keys = unique_outcome(df, _rule(unique_keys=True), where="qty IS NOT NULL")
    assert keys.passed and keys.checked == 3


def _evaluations(result, key: str) -> dict[str, object]:
    return {
        e.check_name: e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == AssetKey(key.split("/"))
    }


@pytest.fixture
def four_days(demo_project):
    from lakehouse_assets.demo.generator import generate

    landing = Path(demo_project.environment.paths["landing"])
    generate(landing, date(2024, 1, 1), 4, scale=1)
    return landing


def test_drop_rules_quarantine_and_rows_add_up(demo_project, four_days, spark_resource):
    """Bronze (DLS form, expect_or_drop) and silver cdc_merge (regex drop, accepted_values warn):
    dropped rows land in <table>_quarantine with the rule names; in = written + quarantined."""
    keys = [
        "bronze/shop/orders_raw",
        "silver/shop/orders",
        "bronze/shop/customers_raw",
        "silver/shop/customers",
    ]
    result = run_assets(demo_project, spark_resource, keys, DAY4)
    bronze = _evaluations(result, "bronze/shop/orders_raw")
    assert not bronze["positive_quantity"].passed
    assert bronze["positive_quantity"].metadata["failing_rows"].value == 1
    assert bronze["known_op_type"].passed and bronze["row_accounting"].passed
    assert bronze["schema_migration"].passed
    landed = (four_days / "orders" / f"dt={DAY4}" / "part-0000.json").read_text().splitlines()
    rows = delta_rows(table_path(demo_project, "bronze/shop/orders_raw"))
    bad = delta_rows(str(table_path(demo_project, "bronze/shop/orders_raw")) + "_quarantine")
    assert len(rows) + len(bad) == len(landed)
    assert [(b["order_id"], b["_failed_rules"]) for b in bad] == [("910003", "positive_quantity")]
    assert bad[0]["_run_id"] == result.run_id and bad[0]["_quarantined_at"] is not None
    meta = result.asset_materializations_for_node("bronze__shop__orders_raw")[0].metadata
    assert meta["rows_in"].value == len(landed)
    assert meta["rows_in"].value == meta["rows_written"].value + meta["rows_quarantined"].value

    silver = _evaluations(result, "silver/shop/orders")
    assert not silver["accepted_values_status"].passed  # warn: the row is kept
    assert silver["accepted_values_status"].metadata["sample_rows"].value[0]["status"] == "lost"
    assert silver["unique_merge_keys"].passed and silver["row_accounting"].passed
    orders = {r["order_id"]: r for r in delta_rows(table_path(demo_project, "silver/shop/orders"))}
    assert orders[920003]["status"] == "lost"
    smeta = result.asset_materializations_for_node("silver__shop__orders")[0].metadata
    assert smeta["rows_in"].value == (
        smeta["rows_written"].value
        + smeta["rows_quarantined"].value
        + smeta["rows_superseded"].value
    )

    customers = _evaluations(result, "silver/shop/customers")
    assert not customers["regex_email"].passed and customers["freshness_updated_at"].passed
    quarantined = delta_rows(str(table_path(demo_project, "silver/shop/customers")) + "_quarantine")
    assert [(q["email"], q["_failed_rules"]) for q in quarantined] == [
        ("not-an-email", "regex_email")
    ]
    silver_emails = {
        r["email"] for r in delta_rows(table_path(demo_project, "silver/shop/customers"))
    }
    assert "not-an-email" not in silver_emails


def _add_rules(path: Path, rules: object, key: str = "expectations") -> None:
    contract = json.loads(path.read_text())
    contract[key] = rules
    path.write_text(json.dumps(contract))


def test_failing_error_check_writes_nothing_and_blocks_downstream(demo_dir, spark_resource):
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.project_loader import load_project_or_raise

    _add_rules(
        demo_dir / "tables/bronze/orders_raw.json",
        {"expect_all_or_fail": {"small_orders": "quantity < 4"}},
    )
    project = load_project_or_raise(str(demo_dir))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), 1)
    keys = ["bronze/shop/orders_raw", "silver/shop/orders"]
    result = run_assets(project, spark_resource, keys, "2024-01-01", raise_on_error=False)
    assert not result.success
    check = _evaluations(result, "bronze/shop/orders_raw")["small_orders"]
    assert not check.passed and check.metadata["failing_rows"].value > 0
    assert not (table_path(project, "bronze/shop/orders_raw") / "_delta_log").exists()
    assert not (table_path(project, "silver/shop/orders") / "_delta_log").exists()
    assert result.asset_materializations_for_node("silver__shop__orders") == []


def test_failing_table_level_error_rule_stops_downstream(demo_dir, spark_resource):
    """A whole-batch ERROR rule (unique, action fail) blocks silver too."""
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.project_loader import load_project_or_raise

    _add_rules(
        demo_dir / "tables/bronze/events_raw.json", [{"unique": "event_id", "action": "fail"}]
    )
    project = load_project_or_raise(str(demo_dir))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), 1)
    keys = ["bronze/shop/events_raw", "silver/shop/events"]
    result = run_assets(project, spark_resource, keys, "2024-01-01", raise_on_error=False)
    assert not result.success  # replayed events repeat event_id in bronze
    check = _evaluations(result, "bronze/shop/events_raw")["unique_event_id"]
    assert not check.passed and check.metadata["failing_rows"].value >= 2
    assert not (table_path(project, "silver/shop/events") / "_delta_log").exists()


def test_scd2_quarantine(demo_dir, spark_resource):
    """Drop rules act before any strategy runs, scd2 included (Delta Live Store cannot)."""
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.project_loader import load_project_or_raise

    history = demo_dir / "ingestion/silver/customers_history.json"
    key = "silver/shop/customers_history"
    _add_rules(history, [{"regex": "email", "pattern": "^[^@]+@[^@]+$", "action": "drop"}])
    project = load_project_or_raise(str(demo_dir))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), 4)
    result = run_assets(project, spark_resource, ["bronze/shop/customers_raw", key], DAY4)
    quarantined = delta_rows(str(table_path(project, key)) + "_quarantine")
    assert [(q["email"], q["_failed_rules"]) for q in quarantined] == [
        ("not-an-email", "regex_email")
    ]
    assert "not-an-email" not in {r["email"] for r in delta_rows(table_path(project, key))}
    assert _evaluations(result, key)["row_accounting"].passed


def test_rules_of_demo_contracts_cover_every_kind(demo_project):
    kinds = {r.kind for a in demo_project.assets.values() for r in rules_for(a)}
    assert kinds == set(RULE_KINDS)


def test_validate_reports_rule_mask_and_permission_mistakes(demo_dir, capsys):
    from lakehouse_assets.cli import main

    _add_rules(
        demo_dir / "tables/silver/products.json",
        [
            {"not_null": "prise"},
            {"name": "twice", "expect": "price > 0"},
            {"name": "twice", "expect": "price < 1000"},
        ],
    )
    _add_rules(
        demo_dir / "tables/silver/events.json",
        [{"principal": "x", "privileges": ["DROP"]}],
        key="permissions",
    )
    spec = json.loads((demo_dir / "tables/silver/customers.json").read_text())
    spec["columns"][1]["mask"] = "security.mask_emial"
    (demo_dir / "tables/silver/customers.json").write_text(json.dumps(spec))
    assert main(["validate", str(demo_dir)]) == 1
    err = capsys.readouterr().err
    assert "products.json: expectations: silver/shop/products: rule names ['twice']" in err
    assert (
        "customers.json: columns[1].mask: unknown mask 'security.mask_emial' on column email" in err
    )
    assert "events.json: permissions[0].privileges[0]: unknown privilege 'DROP'" in err
    _add_rules(demo_dir / "tables/silver/products.json", [{"not_null": "prise"}])
    assert main(["validate", str(demo_dir)]) == 1
    assert (
        "products.json: expectations[0] (not_null prise): 'prise' is not a column of "
        "shop.products" in capsys.readouterr().err
    )


def test_malformed_landing_records_are_counted_in_the_accounting(
    demo_project, demo_landing, spark_resource
):
    result = run_assets(demo_project, spark_resource, ["bronze/shop/orders_raw"], "2024-01-03")
    meta = result.asset_materializations_for_node("bronze__shop__orders_raw")[0].metadata
    landed = (demo_landing / "orders" / "dt=2024-01-03" / "part-0000.json").read_text()
    assert meta["rows_rejected_on_load"].value == 1  # quantity "two"
    assert meta["rows_in"].value == len(landed.splitlines())
    assert meta["rows_written"].value == meta["rows_in"].value - 1
    assert meta["rows_quarantined"].value == 1
    accounting = _evaluations(result, "bronze/shop/orders_raw")["row_accounting"]
    assert accounting.passed
    assert (
        accounting.metadata["equation"].value
        == f"{len(landed.splitlines())} = {len(landed.splitlines()) - 1} written + 1 quarantined "
        "+ 0 superseded + 0 filtered"
    )


def test_is_quarantined_sets_every_failing_row_aside(demo_project):
    """Delta Live Store `is_quarantined: true`: warn rules drop too; table rules unchanged."""
    import dataclasses

    from lakehouse_assets.contracts.project import LoadedTable

    asset = demo_project.asset("silver/shop/orders")
    promo = asset.promotion.model_copy(update={"is_quarantined": True})
    changed = dataclasses.replace(asset, promotion=promo)
    before = {r.name: r.action for r in rules_for(asset)}
    after = {r.name: r.action for r in rules_for(changed)}
    assert before["accepted_values_status"] == "warn" and after["accepted_values_status"] == "drop"
    assert after["unique_merge_keys"] == before["unique_merge_keys"] == "fail"
    assert after["row_count"] == "warn"
    bronze = demo_project.asset("bronze/shop/orders_raw")
    table = bronze.contract.model_copy(update={"is_quarantined": True})
    bronze = dataclasses.replace(bronze, table=LoadedTable(bronze.table.file, table, "bronze"))
    assert {r.name: r.action for r in rules_for(bronze)}["known_op_type"] == "drop"


def test_a_rule_with_bad_sql_is_named(demo_dir, spark_resource):
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.project_loader import load_project_or_raise

    _add_rules(
        demo_dir / "tables/bronze/products_raw.json",
        [{"name": "good", "expect": "price > 0"}, {"name": "typo", "expect": "prise > 0"}],
    )
    project = load_project_or_raise(str(demo_dir))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), 1)
    with pytest.raises(Exception, match=r"rule 'typo' \(prise > 0\) is not valid SQL"):
        run_assets(project, spark_resource, ["bronze/shop/products_raw"], "2024-01-01")
