"""`lakehouse bundle` writes a Databricks Asset Bundle for the demo contracts: one job per
layer run (bronze -> silver for a day, gold), each task a python_wheel_task running
`lakehouse materialize`. The exact command a task runs, with the bundle's references replaced
by local values, materializes the demo's rows on the embedded engine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tomllib
import yaml

from lakehouse_assets.cli import main
from tests.helpers import clean_environment, delta_rows, run_command, table_path

REPO = Path(__file__).resolve().parents[1]
DAY = "2024-01-01"


def _job(out: Path, name: str) -> dict:
    return yaml.safe_load((out / "resources" / f"{name}.yml").read_text())["resources"]["jobs"][
        name
    ]


def test_the_bundle_has_one_job_per_layer_run(demo_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "bundle"
    assert main(["bundle", str(demo_dir), "--out", str(out)]) == 0
    bundle = yaml.safe_load((out / "databricks.yml").read_text())
    assert bundle["include"] == ["resources/*.yml"]
    assert bundle["variables"]["env"]["default"] == "local"
    assert "default" not in bundle["variables"]["node_type_id"]  # cloud specific: asked for
    artifact = bundle["artifacts"]["lakehouse_wheel"]
    assert (out / artifact["path"]).resolve() == REPO and artifact["type"] == "whl"
    assert sorted(p.name for p in (out / "resources").iterdir()) == [
        "bronze_silver_day.yml",
        "gold_tables.yml",
    ]
    day = _job(out, "bronze_silver_day")
    assert [t["task_key"] for t in day["tasks"]] == ["bronze", "silver"]
    assert "depends_on" not in day["tasks"][0]
    assert day["tasks"][1]["depends_on"] == [{"task_key": "bronze"}]
    assert day["parameters"] == [{"name": "partition", "default": "{{job.start_time.iso_date}}"}]
    gold = _job(out, "gold_tables")
    assert [t["task_key"] for t in gold["tasks"]] == ["gold"]
    assert "parameters" not in gold
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    for task in [*day["tasks"], *gold["tasks"]]:
        wheel_task = task["python_wheel_task"]
        assert wheel_task["package_name"] == "lakehouse_assets"
        assert scripts[wheel_task["entry_point"]] == "lakehouse_assets.cli:main"
        assert task["libraries"] == [{"whl": f"{artifact['path']}/dist/lakehouse_assets-*.whl"}]
        assert wheel_task["parameters"][:3] == ["materialize", "--select", task["task_key"]]
    assert day["tasks"][0]["python_wheel_task"]["parameters"][-2:] == [
        "--partition",
        "{{job.parameters.partition}}",
    ]
    # the contracts travel with the bundle (synced to the workspace beside databricks.yml)
    assert (out / "contracts" / "config.json").read_text() == (demo_dir / "config.json").read_text()
    assert "wrote" in capsys.readouterr().out


def _local(parameters: list[str], out: Path) -> list[str]:
    """The task's arguments with the bundle's references as they resolve here."""
    values = {
        "${workspace.file_path}": str(out),
        "${var.env}": "local",
        "{{job.parameters.partition}}": DAY,
    }
    resolved = []
    for arg in parameters:
        for ref, value in values.items():
            arg = arg.replace(ref, value)
        assert "${" not in arg and "{{" not in arg, arg
        resolved.append(arg)
    return resolved


@pytest.mark.slow
def test_the_day_job_tasks_run_locally(demo_dir: Path, demo_project, demo_landing, data_root,
                                       tmp_path: Path):  # fmt: skip
    out = tmp_path / "bundle"
    assert main(["bundle", str(demo_dir), "--out", str(out)]) == 0
    env = clean_environment(LAKEHOUSE_DATA_ROOT=str(data_root), PYTHONPATH=str(REPO))
    for task in _job(out, "bronze_silver_day")["tasks"]:  # in dependency order
        args = _local(task["python_wheel_task"]["parameters"], out)
        # the wheel's `lakehouse` entry point is lakehouse_assets.cli:main (asserted above)
        done = run_command([sys.executable, "-m", "lakehouse_assets.cli", *args], env=env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        assert f"materialized {task['task_key']}/shop/orders" in done.stdout
    bronze = delta_rows(table_path(demo_project, "bronze/shop/orders_raw"))
    silver = delta_rows(table_path(demo_project, "silver/shop/orders"))
    assert bronze and silver
    assert {str(r["_ingested_date"]) for r in bronze} == {DAY}
    assert {r["order_id"] for r in silver} <= {r["order_id"] for r in bronze}
    assert not (data_root / "gold").exists()  # only the day job's layers ran
