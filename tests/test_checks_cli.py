"""CI gate from the command line: Dagster 1.13 has no `dagster asset check`; checks run with
their asset in `dagster asset materialize`, whose exit code fails on a blocking check."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

from tests.helpers import dagster_env, materialize_command, run_command, without_connect_client


def _run(project_dir: Path, home: Path, select: str) -> subprocess.CompletedProcess:
    env = without_connect_client(dagster_env(project_dir, home))
    return run_command(materialize_command(select, "2024-01-01"), env=env)


def test_checks_gate_ci_from_the_command_line(demo_dir, tmp_path):
    from lakehouse_assets.demo.generator import generate
    from lakehouse_assets.project_loader import load_project_or_raise

    contract = demo_dir / "tables/bronze/customers_raw.json"
    spec = json.loads(contract.read_text())
    spec["expectations"] = {"expect_all_or_fail": {"few_customers": "customer_id < 10"}}
    contract.write_text(json.dumps(spec))
    project = load_project_or_raise(str(demo_dir))
    generate(Path(project.environment.paths["landing"]), date(2024, 1, 1), 1)

    ok = _run(demo_dir, tmp_path / "home", "bronze/shop/orders_raw")
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "ASSET_CHECK_EVALUATION" in ok.stderr + ok.stdout

    bad = _run(demo_dir, tmp_path / "home", "bronze/shop/customers_raw")
    assert bad.returncode != 0
    assert "few_customers" in bad.stderr + bad.stdout
    assert not (
        Path(project.environment.paths["bronze"]) / "shop/customers_raw" / "_delta_log"
    ).exists()
