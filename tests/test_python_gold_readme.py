"""README "Coming from DKOps: Python gold": its marked code blocks, run as written against a small
project, so the README and the code cannot drift apart."""

from __future__ import annotations

import json
import re
import runpy
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lakehouse_assets.assets.python_gold import unregister
from tests.conftest import REPO, write_contract_folder
from tests.helpers import delta_rows, environment, orders_pipeline, run_assets, table_path

MARKED_BLOCK = re.compile(r"<!-- dkops-python-gold:run (\S+) -->\n```python\n(.*?)```", re.S)
CONFIG = {
    "EXECUTION_ENVIRONMENT": "local",
    "PYTHON_MODULES": ["shop_gold"],
    "environments": {"local": environment()},
}
ORDER_COLS = [
    {"name": "order_id", "type": "BIGINT", "nullable": False},
    {"name": "order_date", "type": "DATE"},
    {"name": "status", "type": "STRING"},
    {"name": "amount", "type": "DOUBLE"},
    {"name": "updated_at", "type": "TIMESTAMP"},
]


def readme_blocks() -> dict[str, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("<!-- dkops-python-gold:begin")[1].split("<!-- dkops-python-gold:end")[0]
    return dict(MARKED_BLOCK.findall(section))


def _table(name: str, layer: str, columns: list[dict]) -> str:
    return json.dumps(
        {"catalog": f"{{catalog.{layer}}}", "schema": "shop", "name": name, "columns": columns}
    )


@pytest.fixture
def shop(tmp_path: Path, data_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """bronze orders -> silver orders (full_merge) -> the README's gold module."""
    root = write_contract_folder(
        tmp_path / "shop",
        {
            "config/config.json": json.dumps(CONFIG),
            **orders_pipeline(ORDER_COLS),
            "tables/gold/daily_sales.json": _table(
                "daily_sales",
                "gold",
                [
                    {"name": "order_date", "type": "DATE"},
                    {"name": "orders", "type": "BIGINT"},
                    {"name": "revenue", "type": "DOUBLE"},
                ],
            ),
        },
    )
    code = tmp_path / "code"
    code.mkdir()
    for name, source in readme_blocks().items():
        (code / name).write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(code))
    monkeypatch.setenv("LAKEHOUSE_PROJECT_DIR", str(root))
    yield root
    unregister("shop.daily_sales")
    sys.modules.pop("shop_gold", None)


def _land(project, day: str, orders: list[tuple[int, str, str, float]]) -> None:
    folder = Path(project.environment.paths["landing"]) / "orders" / f"dt={day}"
    folder.mkdir(parents=True)
    (folder / "part-0.json").write_text(
        "".join(
            json.dumps(
                {
                    "order_id": i,
                    "order_date": d,
                    "status": s,
                    "amount": a,
                    "updated_at": f"{day}T10:00:00",
                }
            )
            + "\n"
            for i, d, s, a in orders
        )
    )


def _gold(project) -> list[tuple[date, int, float]]:
    return sorted(
        (r["order_date"], r["orders"], r["revenue"])
        for r in delta_rows(table_path(project, "gold/shop/daily_sales"))
    )


def test_readme_python_gold_builder_and_standalone_writer(shop: Path, spark_resource):
    from lakehouse_assets.project_loader import load_project_or_raise

    assert set(readme_blocks()) == {"shop_gold.py", "standalone.py"}
    project = load_project_or_raise(str(shop))
    assert project.assets[("gold", "shop", "daily_sales")].kind == "gold_python"
    _land(
        project,
        "2024-01-01",
        [
            (1, "2024-01-01", "paid", 10.0),
            (2, "2024-01-01", "paid", 5.5),
            (3, "2024-01-01", "cancelled", 99.0),
            (4, "2024-01-02", "paid", 7.0),
        ],
    )
    run_assets(
        project, spark_resource, ["bronze/shop/orders_raw", "silver/shop/orders"], "2024-01-01"
    )
    result = run_assets(project, spark_resource, ["gold/shop/daily_sales"])
    assert result.success
    assert _gold(project) == [(date(2024, 1, 1), 2, 15.5), (date(2024, 1, 2), 1, 7.0)]

    # Day 2 cancels order 2 and adds order 5; the standalone script rebuilds gold.
    _land(
        project, "2024-01-02", [(2, "2024-01-01", "cancelled", 5.5), (5, "2024-01-02", "paid", 3.0)]
    )
    run_assets(
        project, spark_resource, ["bronze/shop/orders_raw", "silver/shop/orders"], "2024-01-02"
    )
    facts = runpy.run_path(str(shop.parent / "code" / "standalone.py"))["facts"]
    assert facts["operation"] == "overwrite" and facts["rows"] == 2
    assert _gold(project) == [(date(2024, 1, 1), 1, 10.0), (date(2024, 1, 2), 2, 10.0)]
