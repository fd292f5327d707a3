"""The Dagster command line on the demo: definitions validate, and materializing a partition."""

from __future__ import annotations

import os
from pathlib import Path

from dagster._core.instance.ref import InstanceRef

from tests.helpers import (
    DAGSTER,
    dagster_env,
    delta_rows,
    materialize_command,
    run_command,
    table_path,
)


def test_definitions_validate(demo_dir: Path, tmp_path: Path):
    done = run_command(
        [DAGSTER, "definitions", "validate", "-m", "lakehouse_assets.definitions"],
        env=dagster_env(demo_dir, tmp_path / "home"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Validation successful" in done.stdout + done.stderr


def test_materialize_one_bronze_partition(demo_project, demo_landing, tmp_path: Path):
    done = run_command(
        materialize_command("bronze/shop/customers_raw", "2024-01-01"),
        env=dagster_env(demo_project.root, tmp_path / "home"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = delta_rows(table_path(demo_project, "bronze/shop/customers_raw"))
    landed = (demo_landing / "customers" / "dt=2024-01-01" / "part-0000.json").read_text()
    assert len(rows) == len(landed.splitlines()) == 40


def test_materialize_without_landing_folder_says_so(demo_dir: Path, data_root: Path, tmp_path):
    """A fresh clone's first run: no landing folder is 0 rows, a WARNING in the run's log and
    the folder with the fix in its materialization metadata (not only a log line)."""
    from dagster import AssetKey, DagsterInstance

    home = tmp_path / "home"
    done = run_command(
        materialize_command("bronze/shop/orders_raw", "2024-01-01"),
        env=dagster_env(demo_dir, home),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    landing = data_root / "landing" / "orders"
    warning = next(x for x in done.stderr.splitlines() if " - WARNING - " in x)
    assert f"bronze/shop/orders_raw: landing folder {landing} does not exist: 0 rows" in warning
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        event = instance.get_latest_materialization_event(
            AssetKey(["bronze", "shop", "orders_raw"])
        )
    assert event is not None and event.asset_materialization is not None
    meta = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    assert meta["landing_missing"] == str(landing)
    assert meta["rows_written"] == 0
    assert "dt=2024-01-01/" in meta["landing_fix"] and "paths.landing" in meta["landing_fix"]
    assert meta["landing_fix"] in warning


def test_workspace_yaml_loads_from_the_repo_root(tmp_path: Path):
    """What `dagster dev` does from the repo root: load workspace.yaml."""
    repo = Path(__file__).resolve().parents[1]
    env = {
        k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "LAKEHOUSE_PROJECT_DIR")
    }
    env["LAKEHOUSE_DATA_ROOT"] = str(tmp_path)
    done = run_command(
        [DAGSTER, "definitions", "validate", "-w", "workspace.yaml"], env=env, cwd=repo
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "lakehouse_assets" in done.stdout + done.stderr
