"""Column masking: the governed reader masks unless privileged; GRANT and column-mask SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lakehouse_assets.engine.capabilities import DATABRICKS, SAIL
from lakehouse_assets.security.governed import governed_read
from lakehouse_assets.security.masks import mask_sql, register_mask
from lakehouse_assets.security.permissions import Permission, parse_permissions
from lakehouse_assets.security.plan import governance_plan
from tests.helpers import run_assets

CUSTOMERS = ("silver", "shop", "customers")


def test_governed_reader_masks_unless_privileged(demo_project, spark_resource, spark):
    from lakehouse_assets.demo.generator import generate

    generate(Path(demo_project.environment.paths["landing"]), date(2024, 1, 1), 1)
    run_assets(
        demo_project,
        spark_resource,
        ["bronze/shop/customers_raw", "silver/shop/customers"],
        "2024-01-01",
    )
    caps = spark_resource.capabilities
    masked = {
        r["customer_id"]: r["email"]
        for r in governed_read(spark, demo_project, CUSTOMERS, caps).collect()
    }
    clear = {
        r["customer_id"]: r["email"]
        for r in governed_read(spark, demo_project, CUSTOMERS, caps, privileged=True).collect()
    }
    assert clear[1] == "user1@example.com" and masked[1] == "u***@example.com"
    assert set(masked) == set(clear) and len(clear) == 40
    assert all(
        m != c and m.endswith("@example.com")
        for m, c in zip(masked.values(), clear.values(), strict=True)
    )
    names = [r for r in governed_read(spark, demo_project, CUSTOMERS, caps).columns]
    assert names == [
        r
        for r in spark.read.format("delta")
        .load(str(Path(demo_project.environment.paths["silver"]) / "shop/customers"))
        .columns
    ]


def test_registered_and_unknown_masks(spark):
    register_mask("test.zero")(lambda col: f"CASE WHEN {col} IS NULL THEN NULL ELSE 0 END")
    row = spark.sql(
        f"SELECT {mask_sql('test.zero', '`x`')} AS m FROM VALUES (42) AS t(x)"
    ).collect()[0]
    assert row["m"] == 0
    with pytest.raises(ValueError, match=r"unknown mask 'nope\.mask'.*security\.mask_email"):
        mask_sql("nope.mask", "`x`")


def test_grant_and_column_mask_plan(demo_project):
    local = governance_plan(demo_project, SAIL)
    assert not local.applied and "reported" in local.render()
    uc = governance_plan(demo_project, DATABRICKS)
    assert uc.applied
    text = "\n".join(uc.statements)
    # Databricks: Unity Catalog names (catalog.schema.table), not paths.
    assert (
        "ALTER TABLE `silver`.`shop`.`customers` ALTER COLUMN `email` SET MASK "
        "`silver`.`shop`.`mask_customers_email`"
    ) in text
    assert "is_account_group_member('lakehouse_privileged') THEN v" in text
    assert "GRANT SELECT ON TABLE `gold`.`shop`.`daily_revenue` TO `finance-analysts`" in text
    assert "GRANT MODIFY ON TABLE `gold`.`shop`.`customer_engagement` TO `data-platform`" in text


def test_permission_forms_and_errors():
    assert parse_permissions({"select": ["a", "b"]}).permissions == [
        Permission("GRANT", "SELECT", "a"),
        Permission("GRANT", "SELECT", "b"),
    ]
    assert parse_permissions([{"principal": "a", "privileges": ["MODIFY"]}]).permissions == [
        Permission("GRANT", "MODIFY", "a")
    ]
    bad = parse_permissions([{"principal": "a", "privileges": ["DROP"]}])
    assert not bad.permissions and [(p.field, p.message) for p in bad.errors] == [
        ("permissions[0].privileges[0]", "unknown privilege 'DROP'")
    ]
