"""Validation that guides: several mistakes planted at once in one folder give one
message each, against the file where the mistake is, and nothing that follows from another."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse_assets.checks.validate import governance_issues
from lakehouse_assets.contracts.errors import join_words
from lakehouse_assets.contracts.types import normalize_type
from lakehouse_assets.project_loader import load_project
from lakehouse_assets.security.masks import MASKS
from lakehouse_assets.strategies.registry import known
from lakehouse_assets.tables.physical import physical_columns
from tests.conftest import write_contract_folder
from tests.helpers import environment

CONFIG = json.dumps(
    {
        "EXECUTION_ENVIRONMENT": "local",
        "environments": {"local": environment(), "dev": environment("dev", "d")},
    }
)


def table(layer: str, name: str, columns: dict[str, str], **extra) -> str:
    return json.dumps(
        {
            "catalog": f"{{catalog.{layer}}}",
            "schema": "shop",
            "name": name,
            "columns": [{"name": c, "type": t} for c, t in columns.items()],
            **extra,
        },
        indent=2,
    )


def ingestion(name: str, dest: str) -> str:
    return json.dumps(
        {"name": name, "source": {"path": f"{{path.landing}}/{name}"}, "destination_contract": dest}
    )


def promotion(name: str, key: str, **extra) -> str:
    return json.dumps(
        {
            "name": name,
            "strategy": "full_merge",
            "source_contract": f"../../tables/bronze/{name}_raw.json",
            "destination_contract": f"../../tables/silver/{name}.json",
            "merge_keys": [key],
            "watermark_col": "updated_at",
            **extra,
        }
    )


ORDER_COLUMNS = {
    "order_id": "BIGINT",
    "customer_id": "BIGINT",
    "amount": "DECIMAL(12,2)",
    "status": "STRING",
    "updated_at": "TIMESTAMP",
}
# Mistake 1: a missing comma after "name" (referenced by an ingestion, a promotion, gold SQL).
BROKEN_CUSTOMERS_RAW = """{
  "catalog": "{catalog.bronze}",
  "schema": "shop",
  "name": "customers_raw"
  "columns": [{"name": "customer_id", "type": "BIGINT"}]
}
"""


def silver_orders() -> str:
    body = json.loads(table("silver", "orders", {**ORDER_COLUMNS, "amount": "MONEY"}))
    body["columns"][3]["mask"] = "mask_everything"  # mistake 3b: beside the bad type
    body["expectations"] = [  # mistake 2: a bad action, and a rule on a missing column
        {"accepted_values": "status", "values": ["placed", "shipped"], "action": "quarantine"},
        {"not_null": "customer_idd", "action": "drop"},
    ]
    return json.dumps(body)


@pytest.fixture
def mistakes(tmp_path: Path) -> Path:
    return write_contract_folder(
        tmp_path / "contracts",
        {
            "config.json": CONFIG,
            "tables/bronze/orders_raw.json": table(
                "bronze",
                "orders_raw",
                ORDER_COLUMNS,
                expectations={
                    "expect_all": {"known_status": "status IN ('placed', 'shipped')"},
                    "rules": [{"name": "fresh", "freshness": "updated_at"}],
                },
            ),
            "tables/bronze/customers_raw.json": BROKEN_CUSTOMERS_RAW,
            "tables/silver/orders.json": silver_orders(),
            "tables/silver/customers.json": table("silver", "customers", {"customer_id": "BIGINT"}),
            "tables/gold/customer_revenue.json": table(
                "gold",
                "customer_revenue",
                {"customer_id": "BIGINT", "revenue": "DECIMAL(18,2)"},
                sql="SELECT c.customer_id, SUM(o.amount) AS revenue FROM shop.customers_raw c "
                "JOIN {catalog.silver}.shop.orders o ON o.customer_id = c.customer_id "
                "GROUP BY c.customer_id",
            ),
            "ingestion/batch/orders.json": ingestion(
                "orders", "../../tables/bronze/orders_raw.json"
            ),
            "ingestion/batch/customers.json": ingestion(
                "customers", "../../tables/bronze/customers_raw.json"
            ),
            # Mistake 4: the promotion's own rule names a column the silver table lacks.
            "ingestion/silver/orders.json": promotion(
                "orders",
                "order_id",
                expectations=[{"range": "amount", "min": 0}, {"not_null": "order_ts"}],
            ),
            # Mistake 5: an unknown strategy.
            "ingestion/silver/customers.json": promotion(
                "customers", "customer_id", strategy="upsert_magic"
            ),
        },
    )


def _type_error(declared: str) -> str:
    with pytest.raises(ValueError) as exc:
        normalize_type(declared)
    return str(exc.value)


def test_each_mistake_is_reported_once_where_it_was_made(mistakes: Path):
    project = load_project(mistakes)
    issues = project.issues + governance_issues(project)
    # The framework's column, type and mask lists belong to other modules (and registries):
    # taken from them.
    silver = sorted(c.name for c in physical_columns(project.asset("silver/shop/orders")))
    strategies = join_words([repr(name) for name in known()])
    assert [str(i) for i in issues if i.severity == "error"] == [
        "error: ingestion/silver/customers.json: strategy: 'upsert_magic' is not allowed "
        f"(fix: use {strategies})",
        "error: tables/bronze/customers_raw.json: does not parse: Expecting ',' delimiter: "
        "line 5 column 3 (char 83) (fix: fix the JSON/YAML syntax)",
        "error: tables/bronze/orders_raw.json: expectations.rules[0] (fresh): a freshness rule "
        "needs max_age_hours",
        "error: tables/silver/orders.json: expectations[0] (accepted_values status).action: "
        "'quarantine' is not allowed (fix: use 'warn', 'drop' or 'fail')",
        f"error: tables/silver/orders.json: columns[2].type: {_type_error('MONEY')}",
        "error: tables/silver/orders.json: expectations[1] (not_null customer_idd): "
        f"'customer_idd' is not a column of shop.orders (fix: use one of {silver})",
        "error: ingestion/silver/orders.json: expectations[1] (not_null order_ts): "
        f"'order_ts' is not a column of shop.orders (fix: use one of {silver})",
        "error: tables/silver/orders.json: columns[3].mask: unknown mask 'mask_everything' on "
        f"column status (fix: use one of {sorted(MASKS)} or register one)",
    ]
    assert [str(i) for i in issues if i.severity != "error"] == [
        "info: tables/bronze/customers_raw.json: ingestion/batch/customers.json, "
        "ingestion/silver/customers.json and tables/gold/customer_revenue.json depend on "
        "this file; they are checked once it loads",
    ]
    # Tables that wait for a broken contract are not "built by no contract".
    assert project.unbuilt_tables() == []
    # The valid rules of a list with an invalid one still load.
    rules = project.asset("silver/shop/orders").contract.expectations
    assert [r.not_null for r in rules] == ["customer_idd"]


def test_a_table_that_loads_again_is_checked_again(mistakes: Path):
    (mistakes / "tables/bronze/customers_raw.json").write_text(
        BROKEN_CUSTOMERS_RAW.replace('"customers_raw"\n', '"customers_raw",\n')
    )
    project = load_project(mistakes)
    assert not [i for i in project.issues if i.severity == "info"]
    assert ("gold", "shop", "customer_revenue") in project.assets


def test_a_broken_yaml_table_is_known_by_its_schema_and_name(mistakes: Path):
    (mistakes / "tables/bronze/customers_raw.json").unlink()
    (mistakes / "tables/bronze/customers_raw.yaml").write_text(
        "schema: shop\nname: customers_raw\ncolumns: [{name: customer_id, type: BIGINT}\n"
    )
    errors = [str(i) for i in load_project(mistakes).errors]
    assert not [e for e in errors if "gold" in e], errors


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lakehouse_assets.cli", "validate", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("LAKEHOUSE_ENV", "LAKEHOUSE_PROJECT_DIR")
            },
            **env,
        },
    )


def test_validate_names_a_missing_folder(tmp_path: Path):
    missing = tmp_path / "nonexistent"
    done = _cli(str(missing))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {missing}: contract folder does not exist "
        "(fix: pass the folder that holds config.json)"
    ]


def test_unknown_env_option_names_the_environments(mistakes: Path):
    done = _cli(str(mistakes), "--env", "prod")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: config.json: environments: no environment named 'prod'; it defines dev and "
        "local (fix: use --env dev or --env local)"
    ]


def test_unknown_env_variable_is_advised_as_a_variable(mistakes: Path):
    done = _cli(str(mistakes), LAKEHOUSE_ENV="prod")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: config.json: environments: LAKEHOUSE_ENV is 'prod', which config.json does "
        "not define (it defines dev and local) (fix: set LAKEHOUSE_ENV to dev or local, or "
        "unset it)"
    ]
