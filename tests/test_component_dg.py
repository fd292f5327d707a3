"""The `dg` command line (dagster-dg-cli) on the repo and on a scaffolded project, as real
processes: `dg check defs`, `dg list defs`, `dg list components`, `dg scaffold defs`, `dg dev`.

dg runs the code location with the Python that runs it (the project needs no .venv of its own)
and reads nothing from the network. `dg list components` finds components by the
`dagster_dg_cli.registry_modules` entry point, which `pip install` records: the repo's
pyproject.toml may be newer than the installed metadata, so these tests put its entry points
in a .dist-info folder of their own on PYTHONPATH, as an install would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import tomlkit  # dagster-dg-cli's own TOML library (tomllib is 3.11+)

from tests.conftest import REPO
from tests.helpers import DG, dg_project, free_port, run_command, stop_process

pytestmark = pytest.mark.slow
DEMO_KEYS = {
    "bronze/shop/orders_raw",
    "silver/shop/orders",
    "gold/shop/daily_revenue",
    "gold/shop/customer_engagement",
}


def _entry_points(target: Path) -> Path:
    """The pyproject's entry points as installed metadata (what `pip install -e .` writes)."""
    project = tomlkit.parse((REPO / "pyproject.toml").read_text()).unwrap()["project"]
    info = target / "lakehouse_assets_entry_points-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: lakehouse-assets-entry-points\nVersion: 0\n"
    )
    lines = []
    for group, entries in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {value}" for name, value in entries.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return target


@pytest.fixture
def dg_env(tmp_path: Path) -> dict[str, str]:
    """dg's environment: its own DAGSTER_HOME (telemetry off), the repo first on PYTHONPATH
    (a worktree or checkout under test, whatever is installed), the entry points."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    path = [str(REPO), str(_entry_points(tmp_path / "metadata"))]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    return {
        **env,
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([*path, env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "LAKEHOUSE_DATA_ROOT": str(tmp_path / "data"),
    }


def _listed_keys(done: subprocess.CompletedProcess[str]) -> set[str]:
    assert done.returncode == 0, done.stderr[-3000:]
    return {a["asset_key"] for a in json.loads(done.stdout)["assets"]}


def test_dg_check_and_list_defs_from_the_repo_root(demo_dir: Path, dg_env: dict[str, str]):
    env = {**dg_env, "LAKEHOUSE_PROJECT_DIR": str(demo_dir)}
    done = run_command([DG, "check", "defs"], env=env, cwd=REPO)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "All definitions loaded successfully" in done.stdout
    assert _listed_keys(run_command([DG, "list", "defs", "--json"], env=env, cwd=REPO)) >= DEMO_KEYS


def test_dg_lists_scaffolds_and_loads_a_domain(demo_dir: Path, tmp_path, dg_env):
    listed = run_command([DG, "list", "components", "--json"], env=dg_env, cwd=REPO)
    assert listed.returncode == 0, listed.stderr[-3000:]
    keys = {c["key"] for c in json.loads(listed.stdout)["items"]}
    assert "lakehouse_assets.LakehouseComponent" in keys
    assert "not found in the plugin manifest" not in listed.stderr  # the entry point is read

    root = dg_project(tmp_path / "project", "lh_scaffolded", {})
    shutil.copytree(demo_dir, root / "contracts" / "sales")
    env = {**dg_env, "PYTHONPATH": f"{root}{os.pathsep}{dg_env['PYTHONPATH']}"}
    command = [DG, "scaffold", "defs", "lakehouse_assets.LakehouseComponent", "sales"]
    done = run_command([*command, "--contracts", "contracts/sales"], env=env, cwd=root)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    written = sorted(p.name for p in (root / "lh_scaffolded" / "defs" / "sales").iterdir())
    assert written == ["defs.yaml"]
    keys = _listed_keys(run_command([DG, "list", "defs", "--json"], env=env, cwd=root))
    assert keys >= DEMO_KEYS


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_dg_dev_serves_the_assets(demo_dir: Path, tmp_path: Path, dg_env: dict[str, str]):
    port = free_port()
    log = (tmp_path / "dg_dev.log").open("w")
    proc = subprocess.Popen(
        [DG, "dev", "--host", "127.0.0.1", "--port", str(port)],
        env={**dg_env, "LAKEHOUSE_PROJECT_DIR": str(demo_dir)},
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the webserver, daemon and code server go with it
    )
    keys: set[str] = set()
    try:
        deadline = time.monotonic() + 300  # a loaded 2-core machine: code server start is slow
        while time.monotonic() < deadline and not keys >= DEMO_KEYS:
            assert proc.poll() is None, (tmp_path / "dg_dev.log").read_text()[-3000:]
            try:
                nodes = _graphql(port, "{ assetNodes { assetKey { path } } }")["data"]
                keys = {"/".join(n["assetKey"]["path"]) for n in nodes["assetNodes"] or []}
            except (OSError, KeyError, TypeError, ValueError):
                pass  # not serving yet, or the code location still loading
            time.sleep(1)
    finally:
        stop_process(proc)
        log.close()
    assert keys >= DEMO_KEYS, (tmp_path / "dg_dev.log").read_text()[-3000:]
