"""The Dagster instance on PostgreSQL: runs, event logs and schedules stored in a real server.

The test starts its own throw-away cluster (Debian's `postgresql` package: installed with
apt-get when missing and we are root) on a free loopback port in a temp dir, and stops it after.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance

from tests.helpers import delta_rows, free_port, run_assets, table_path

ORDERS = "bronze/shop/orders_raw"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _ensure_postgres() -> Path:
    if _pg_bin() is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], capture_output=True,
                       check=False, timeout=600)
    found = _pg_bin()
    if found is None:
        pytest.skip("PostgreSQL is not installed and cannot be (needs root and apt-get: "
                    "`apt-get install -y postgresql`)")
    return found


@pytest.fixture
def postgres():
    pg = _ensure_postgres()
    try:
        import dagster_postgres  # noqa: F401
    except ImportError:
        pytest.skip("dagster-postgres is not installed: pip install -e '.[dev]'")
    # Not under pytest's tmp_path: the postgres user must be able to reach it.
    data = Path(tempfile.mkdtemp(prefix="lakehouse-pg-"))
    # initdb refuses to run as root: run the server as the postgres user then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(data, "postgres")
    port = free_port()
    init = subprocess.run([*as_user, str(pg / "initdb"), "-D", str(data), "-A", "trust", "-U",
                           "postgres"], capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, f"initdb failed: {init.stderr}"
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    pg_ctl = [*as_user, str(pg / "pg_ctl"), "-D", str(data)]
    subprocess.run([*pg_ctl, "-o", options, "-l", str(data / "log"), "-w", "start"],
                   check=True, capture_output=True, timeout=120)
    try:
        yield port
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(data, ignore_errors=True)


def test_runs_are_stored_in_postgres(postgres, tmp_path, demo_project, demo_landing,
                                     spark_resource):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(f"""
storage:
  postgres:
    postgres_db:
      hostname: 127.0.0.1
      port: {postgres}
      username: postgres
      password: ""
      db_name: postgres
      # SQLAlchemy 2.1 defaults postgresql:// to psycopg 3; dagster-postgres needs psycopg2.
      scheme: postgresql+psycopg2
telemetry:
  enabled: false
""")
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = run_assets(demo_project, spark_resource, [ORDERS], "2024-01-02",
                            instance=instance)
        stored = instance.get_run_by_id(result.run_id)
        assert stored is not None and stored.is_success
        event = instance.get_latest_materialization_event(AssetKey(ORDERS.split("/")))
        assert event is not None and event.run_id == result.run_id
        assert event.asset_materialization.partition == "2024-01-02"
        rows_written = event.asset_materialization.metadata["rows_written"].value
    assert rows_written == len(delta_rows(table_path(demo_project, ORDERS)))
