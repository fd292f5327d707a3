"""The Dagster instance on PostgreSQL: runs, event logs and schedules stored in a real server.

The test starts its own throw-away cluster (Debian's `postgresql` package, which `.ci/run`
installs; without it the test skips, saying so) on a free loopback port in a temp dir, and stops
it after, even when the test fails: `pg_ctl stop`, then the postmaster by its pid with
tests.helpers.stop_process (SIGTERM, bounded wait, SIGKILL) if it is still there.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance

from tests.helpers import delta_rows, free_port, run_assets, run_command, stop_process, table_path

ORDERS = "bronze/shop/orders_raw"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _ensure_postgres() -> Path:
    found = _pg_bin()
    if found is None:
        pytest.skip(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "install the Debian package postgresql, as .ci/run does"
        )
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
    pg_ctl = [*as_user, str(pg / "pg_ctl"), "-D", str(data)]
    try:
        init = run_command(
            [*as_user, str(pg / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        )
        assert init.returncode == 0, f"initdb failed: {init.stderr}"
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
        # -t: pg_ctl's own bound on waiting for the server to accept connections (default 60 s)
        started = run_command(
            [*pg_ctl, "-o", options, "-l", str(data / "log"), "-w", "-t", "300", "start"]
        )
        assert started.returncode == 0, f"pg_ctl start failed: {started.stderr}"
        yield port
    finally:
        _stop_postgres(pg_ctl, data)
        shutil.rmtree(data, ignore_errors=True)


def _stop_postgres(pg_ctl: list[str], data: Path) -> None:
    """pg_ctl's fast shutdown; then the postmaster by its pid, should it still be there."""
    pid_file = data / "postmaster.pid"
    pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
    with contextlib.suppress(AssertionError):  # bounded: a hung stop is handled below
        run_command([*pg_ctl, "-m", "fast", "-w", "-t", "120", "stop"], timeout_s=180)
    if pid is not None:
        stop_process(pid)


def test_runs_are_stored_in_postgres(
    postgres, tmp_path, demo_project, demo_landing, spark_resource
):
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
        result = run_assets(demo_project, spark_resource, [ORDERS], "2024-01-02", instance=instance)
        stored = instance.get_run_by_id(result.run_id)
        assert stored is not None and stored.is_success
        event = instance.get_latest_materialization_event(AssetKey(ORDERS.split("/")))
        assert event is not None and event.run_id == result.run_id
        assert event.asset_materialization.partition == "2024-01-02"
        rows_written = event.asset_materialization.metadata["rows_written"].value
    assert rows_written == len(delta_rows(table_path(demo_project, ORDERS)))
