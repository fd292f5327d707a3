"""The demo shows passing and failing checks and non-empty quarantines (day 4 has bad rows)."""

from __future__ import annotations

from pathlib import Path


def test_demo_reports_checks_and_quarantine(data_root: Path):
    from lakehouse_assets.demo.run import run_demo

    summary = run_demo(data_root, days=4)
    failed = {k for k, (_, bad) in summary.checks.items() if bad}
    assert failed == {
        "bronze/shop/orders_raw:positive_quantity",
        "silver/shop/customers:regex_email",
        "silver/shop/orders:accepted_values_status",
        # the demo lands a quantity "two" and a corrupt event on purpose
        "bronze/shop/orders_raw:quarantined_on_load",
        "bronze/shop/events_raw:quarantined_on_load",
    }
    passed = {k for k, (ok, bad) in summary.checks.items() if ok and not bad}
    assert {
        "gold/shop/daily_revenue:revenue_non_negative",
        "silver/shop/orders:unique_merge_keys",
        "silver/shop/orders:row_accounting",
        "gold/shop/customer_engagement:schema_migration",
    } <= passed
    assert summary.quarantined["bronze/shop/orders_raw"] == 2  # "two" + a negative quantity
    assert summary.quarantined["silver/shop/customers"] == 1
    text = summary.render()
    assert "FAILED silver/shop/customers:regex_email (1 of 4 runs)" in text
