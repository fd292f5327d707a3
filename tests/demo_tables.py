"""The demo lakehouse built in one process, bronze -> silver -> gold, and every table's data
columns as sorted JSON lines: what two engine modes must agree on row for row.

    python -m tests.demo_tables DATA_DIR OUT_JSON

Framework columns (`_ingested_at`, `_source_file`, `_silver_*`: run times and paths) are left
out; every column the contracts declare is compared.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

DAYS = ["2024-01-01", "2024-01-02"]
REPO = Path(__file__).resolve().parents[1]


def build_demo(data_dir: Path, spark_resource: Any) -> dict[str, list[str]]:
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.project_loader import load_project_or_raise
    from lakehouse_assets.storage.delta import delta_table
    from lakehouse_assets.tables.location import locate_key
    from tests.helpers import run_assets

    contracts = data_dir / "contracts"
    shutil.copytree(REPO / "contracts", contracts)
    project = load_project_or_raise(str(contracts), data_dir=data_dir)
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), len(DAYS))
    daily = [k for k, a in project.assets.items() if a.partitioned]
    whole = [k for k, a in project.assets.items() if not a.partitioned]
    for day in DAYS:
        assert run_assets(project, spark_resource, ["/".join(k) for k in daily], day).success
    assert run_assets(project, spark_resource, ["/".join(k) for k in whole]).success
    tables = {}
    for key in project.assets:
        path = locate_key(project, key, spark_resource.capabilities).path
        assert path is not None
        rows = delta_table(path).to_pyarrow_table().to_pylist()
        tables["/".join(key)] = sorted(
            json.dumps({k: v for k, v in r.items() if not k.startswith("_")}, default=str)
            for r in rows
        )
    return tables


def main(data_dir: str, out: str) -> None:
    from lakehouse_assets.engine.resource import SparkResource

    resource = SparkResource(mode="local")
    tables = build_demo(Path(data_dir), resource)
    Path(out).write_text(json.dumps({"sail_mode": os.environ.get("SAIL_MODE"), "tables": tables}))
    resource.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])
