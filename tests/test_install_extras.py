"""The `databricks` extra installs into an environment of its own and works there:
databricks-connect's own `pyspark` package is the only one (no OSS pyspark distribution
overwrites it), `pip check` passes, the code location loads, and the resource builds the real
Databricks SDK Config through unified auth without a secret in any message.

It installs offline from a wheelhouse that `.ci/run` fetches (tests fetch nothing); without one
it skips with the command that fetches it. No workspace exists here: DATABRICKS_HOST is a local
HTTP server that answers 404 (the SDK's Config asks the host for its metadata, and waits ~5 min
for a host that does not answer), and the session stops at the first thing Databricks Connect
checks before any network call of its own: that a compute is set.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import clean_environment, copy_sources, free_port, run_command, stop_process

REPO = Path(__file__).resolve().parents[1]
WHEELHOUSE = Path(os.environ.get("LAKEHOUSE_WHEELHOUSE", REPO / ".wheelhouse" / "databricks"))
FETCH = (
    f'python -m pip download -d {WHEELHOUSE} ".[databricks]" "setuptools>=68" '
    "(from the repo root; .ci/run does this)"
)

# Run inside the databricks venv; prints what the test asserts on.
PROBE = r"""
import importlib.metadata as md, json, os, sys
import databricks.connect, pyspark
from databricks.sdk.core import Config
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.engine.setup_error import EngineSetupError

owners = [d.metadata["Name"] for d in md.distributions()
          if any(str(f) == "pyspark/__init__.py" for f in (d.files or []))]
defs = build_definitions(sys.argv[1])
resource = SparkResource(mode="databricks")
config = Config(**resource.databricks_settings().sdk_kwargs())
try:
    resource.get_session()
    error = None
except EngineSetupError as exc:
    error = str(exc)
print(json.dumps({
    "pyspark_owners": owners,
    "dists": sorted(d.metadata["Name"].lower() for d in md.distributions()),
    "assets": len(list(defs.resolve_all_asset_keys())),
    "host": config.host, "auth_type": config.auth_type,
    "error": error, "repr": repr(resource),
}))
"""


@pytest.mark.slow
def test_databricks_extra_installs_alone_and_builds_the_sdk_config(tmp_path: Path):
    connect_wheels = list(WHEELHOUSE.glob("databricks_connect-*.whl"))
    if not connect_wheels:
        pytest.skip(
            f"no databricks-connect wheel in {WHEELHOUSE} (PyPI has none for Python "
            f"{sys.version_info.major}.{sys.version_info.minor}, or it was not fetched): {FETCH}"
        )
    venv = tmp_path / "venv"
    made = run_command([sys.executable, "-m", "venv", str(venv)])
    assert made.returncode == 0, made.stderr[-3000:]
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    src = copy_sources(REPO, tmp_path / "src")
    offline = ["--no-index", "--find-links", str(WHEELHOUSE)]
    installed = run_command([*pip, "install", *offline, f"{src}[databricks]"], timeout_s=1200)
    assert installed.returncode == 0, installed.stderr[-3000:]
    checked = run_command([*pip, "check"])
    assert checked.returncode == 0, checked.stdout + checked.stderr

    port = free_port()
    empty = tmp_path / "www"
    empty.mkdir()
    host = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        cwd=empty,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        seen, output = _probe(python, tmp_path, f"http://127.0.0.1:{port}")
    finally:
        stop_process(host)
    assert seen["pyspark_owners"] == ["databricks-connect"]
    assert not {"pyspark", "pyspark-client", "pyspark-connect"} & set(seen["dists"])
    assert "delta-spark" not in seen["dists"] and "dagster-databricks" not in seen["dists"]
    assert seen["assets"] > 0  # the code location loads without starting an engine
    # unified auth: the SDK read host and token from the environment itself
    assert seen["host"] == f"http://127.0.0.1:{port}"
    assert seen["auth_type"] == "pat"
    assert seen["error"].startswith(
        "Databricks Connect: Cluster id or serverless are required but were not specified: "
    ), seen["error"]
    assert "DATABRICKS_CLUSTER_ID" in seen["error"]
    assert SECRET not in output


SECRET = "dapi-not-a-real-secret-789"


def wait_for_port(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), 1.0).close()
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


def _probe(python: str, tmp_path: Path, host: str) -> tuple[dict, str]:
    env = clean_environment(
        DATABRICKS_HOST=host,
        DATABRICKS_TOKEN=SECRET,
        HOME=str(tmp_path),  # no ~/.databrickscfg of the machine's user
    )
    for name in ("DATABRICKS_CLUSTER_ID", "DATABRICKS_SERVERLESS_COMPUTE_ID",
                 "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_RUNTIME_VERSION"):  # fmt: skip
        env.pop(name, None)
    probe = run_command([python, "-c", PROBE, str(REPO / "contracts")], env=env, cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr[-3000:]
    return json.loads(probe.stdout.strip().splitlines()[-1]), probe.stdout + probe.stderr
