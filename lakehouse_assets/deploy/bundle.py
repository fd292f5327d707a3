"""`lakehouse bundle --out DIR`: a Databricks Asset Bundle that runs a contract folder on
Databricks. Chosen over Dagster Pipes: dagster-databricks depends on OSS pyspark, which must
not share an environment with databricks-connect.

It writes `databricks.yml` and `resources/<job>.yml`, one job per layer run as the code
location's jobs (jobs.py): `bronze_silver_day` (tasks bronze -> silver, one partition: the
`partition` job parameter, default the run's date) and `gold_tables` (task gold). Each task is a
`python_wheel_task` running this package's `lakehouse materialize` on the job cluster, where the
package's wheel (no Spark client: the cluster has its own) is the task's library and the
contract folder is synced with the bundle (`contracts/`). Deploy: `databricks bundle deploy
--var node_type_id=...`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml

from lakehouse_assets.contracts.project import Project
from lakehouse_assets.jobs import DAY_JOB, GOLD_JOB

ENTRY_POINT = "lakehouse"
PACKAGE = "lakehouse_assets"
PARTITION_PARAM = "{{job.parameters.partition}}"
CONTRACTS = "${workspace.file_path}/contracts"
CLUSTER_KEY = "lakehouse"


def task_parameters(select: str, partition: bool) -> list[str]:
    """The `lakehouse` arguments of one task (what `lakehouse materialize` takes)."""
    params = ["materialize", "--select", select, "--dir", CONTRACTS, "--env", "${var.env}"]
    return [*params, "--partition", PARTITION_PARAM] if partition else params


def _task(key: str, select: str, partition: bool, after: str | None, wheel: str) -> dict[str, Any]:
    task: dict[str, Any] = {
        "task_key": key,
        "job_cluster_key": CLUSTER_KEY,
        "python_wheel_task": {
            "package_name": PACKAGE,
            "entry_point": ENTRY_POINT,
            "parameters": task_parameters(select, partition),
        },
        "libraries": [{"whl": wheel}],
    }
    if after:
        task["depends_on"] = [{"task_key": after}]
    return task


def _cluster() -> list[dict[str, Any]]:
    return [
        {
            "job_cluster_key": CLUSTER_KEY,
            "new_cluster": {
                "spark_version": "${var.spark_version}",
                "node_type_id": "${var.node_type_id}",
                "num_workers": "${var.num_workers}",
                "data_security_mode": "SINGLE_USER",  # Unity Catalog access
                "spark_env_vars": {"LAKEHOUSE_SPARK_MODE": "databricks"},
            },
        }
    ]


def bundle_jobs(project: Project, wheel: str) -> dict[str, dict[str, Any]]:
    """Job name -> its job resource: only the jobs whose layers the folder has."""
    layers = {key[0] for key in project.assets}
    jobs: dict[str, dict[str, Any]] = {}
    daily = [layer for layer in ("bronze", "silver") if layer in layers]
    if daily:
        tasks = [
            _task(layer, layer, True, daily[i - 1] if i else None, wheel)
            for i, layer in enumerate(daily)
        ]
        jobs[DAY_JOB] = {
            "name": f"{DAY_JOB} [${{var.env}}]",
            "parameters": [{"name": "partition", "default": "{{job.start_time.iso_date}}"}],
            "job_clusters": _cluster(),
            "tasks": tasks,
        }
    if "gold" in layers:
        jobs[GOLD_JOB] = {
            "name": f"{GOLD_JOB} [${{var.env}}]",
            "job_clusters": _cluster(),
            "tasks": [_task("gold", "gold", False, None, wheel)],
        }
    return jobs


def write_bundle(project: Project, out: Path, repo: Path | None = None) -> list[Path]:
    """Write the bundle into `out` (contracts copied beside it); returns the files written.
    `repo`: the source tree the bundle builds the wheel from (default: this package's)."""
    repo = (repo or Path(__file__).resolve().parents[2]).resolve()
    out = out.resolve()
    (out / "resources").mkdir(parents=True, exist_ok=True)
    source = os.path.relpath(repo, out)
    wheel = f"{source}/dist/{PACKAGE}-*.whl"
    bundle = {
        "bundle": {"name": "lakehouse_assets"},
        "include": ["resources/*.yml"],
        "artifacts": {
            "lakehouse_wheel": {
                "type": "whl",
                "path": source,
                "build": "python -m pip wheel --no-deps -w dist .",
            }
        },
        "sync": {"include": ["contracts/**"]},
        "variables": {
            "env": {
                "description": "environments.<name> of config.json",
                "default": project.env_name,
            },
            "spark_version": {"description": "Databricks Runtime", "default": "15.4.x-scala2.12"},
            "node_type_id": {"description": "the job cluster's node type (cloud specific)"},
            "num_workers": {"description": "the job cluster's workers", "default": 1},
        },
        "targets": {"dev": {"mode": "development", "default": True}},
    }
    written = [out / "databricks.yml"]
    _dump(written[0], bundle)
    for name, job in bundle_jobs(project, wheel).items():
        path = out / "resources" / f"{name}.yml"
        _dump(path, {"resources": {"jobs": {name: job}}})
        written.append(path)
    contracts = out / "contracts"
    if contracts.exists():
        shutil.rmtree(contracts)
    shutil.copytree(project.root, contracts)
    return written


def _dump(path: Path, data: dict[str, Any]) -> None:
    header = "# Generated by `lakehouse bundle`: regenerate rather than edit.\n"
    path.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
