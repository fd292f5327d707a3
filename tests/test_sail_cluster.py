"""Sail's local-cluster mode (LAKEHOUSE_SAIL_MODE=local-cluster): the embedded server plans
distributed, with a driver and workers over RPC. The demo built that way, in a process of its
own (the mode is per process), equals the default mode's row for row."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests.demo_tables import REPO, build_demo
from tests.helpers import run_command

pytestmark = pytest.mark.slow


def test_local_cluster_mode_builds_the_same_demo(tmp_path, spark_resource):
    cluster_dir, out = tmp_path / "cluster", tmp_path / "cluster.json"
    cluster_dir.mkdir()
    env = {
        **os.environ,
        "LAKEHOUSE_SAIL_MODE": "local-cluster",
        # The driver logs its workers at INFO: the proof that the plan ran distributed.
        "RUST_LOG": "warn,sail_execution::driver=info",
        "PYTHONPATH": str(REPO),
    }
    env.pop("SAIL_MODE", None)
    done = run_command(
        [sys.executable, "-m", "tests.demo_tables", str(cluster_dir), str(out)],
        timeout_s=900,
        cwd=REPO,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    cluster = json.loads(out.read_text())
    assert cluster["sail_mode"] == "local-cluster"
    assert "sail_execution::driver" in done.stderr and "worker" in done.stderr

    default_dir = tmp_path / "default"
    default_dir.mkdir()
    default = build_demo(default_dir, spark_resource)
    assert set(cluster["tables"]) == set(default) and len(default) == 11
    for key, rows in default.items():
        assert rows, f"{key} is empty"
        assert cluster["tables"][key] == rows, key


def test_an_unknown_sail_mode_names_the_setting(tmp_path):
    code = (
        "from lakehouse_assets.engine.sail_server import embedded_url\n"
        "try:\n    embedded_url()\nexcept ValueError as e:\n    print(e)\n"
    )
    env = {**os.environ, "LAKEHOUSE_SAIL_MODE": "kubernetes-cluster", "PYTHONPATH": str(REPO)}
    done = run_command([sys.executable, "-c", code], timeout_s=300, cwd=REPO, env=env)
    assert "LAKEHOUSE_SAIL_MODE='kubernetes-cluster'" in done.stdout, done.stderr[-2000:]
    assert "local, local-cluster" in done.stdout and "LAKEHOUSE_SPARK_MODE=connect" in done.stdout
