"""The Spark resource in each mode: connect (a Sail server in another process), classic spark,
and databricks (a fake DatabricksSession: no workspace can exist here)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from lakehouse_assets.engine.resource import SparkResource
from tests.helpers import delta_rows, free_port, run_assets, run_command, stop_process, table_path


@pytest.fixture
def sail_process():
    """A Sail server in a process of its own, stopped (TERM, then KILL) even if the test fails."""
    port = free_port()
    sail = Path(sys.executable).parent / "sail"
    proc = subprocess.Popen(
        [str(sail), "spark", "server", "--ip", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_listening(proc, port, deadline_s=120)
        yield f"sc://127.0.0.1:{port}"
    finally:
        stop_process(proc)


def _wait_until_listening(proc: subprocess.Popen, port: int, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the sail server exited with {proc.returncode}"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"the sail server did not listen within {deadline_s} s")


def test_connect_mode_runs_the_same_pipeline(demo_project, demo_landing, sail_process, spark):
    """Even with the embedded session open in this process, connect mode uses its own URL."""
    remote = SparkResource(mode="connect", connect_url=sail_process)
    try:  # the session is closed first: the server waits for its open sessions at SIGTERM
        assert remote.capabilities.engine == "sail"
        keys = ["bronze/shop/products_raw", "silver/shop/products"]
        run_assets(demo_project, remote, keys, "2024-01-01")
        rows = delta_rows(table_path(demo_project, "silver/shop/products"))
        assert len(rows) == 20 and {r["product_id"] for r in rows} == set(range(1, 21))
        # The work was done by the other process's engine, not an embedded one.
        assert remote.get_session().client.host == "127.0.0.1"
        assert str(_port(sail_process)) in str(remote.get_session().client._builder.url)
        assert remote.get_session() is not spark
    finally:
        remote.stop()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_connect_mode_needs_a_url():
    with pytest.raises(ValueError, match="connect_url='sc://host:port'"):
        SparkResource(mode="connect").get_session()


@pytest.mark.slow
def test_classic_spark_mode_from_the_environment(tmp_path: Path):
    """LAKEHOUSE_SPARK_MODE=spark with LAKEHOUSE_SPARK_JARS: classic PySpark + Delta from the
    fetched jars, no download (the demo end to end: tests/test_engines_end_to_end.py)."""
    from tests.jvm_spark import jvm_env, require_delta_jars

    require_delta_jars()
    code = (
        "from lakehouse_assets.code_location import spark_from_env\n"
        "r = spark_from_env()\n"
        "s = r.get_session()\n"
        f"s.range(3).write.format('delta').save({str(tmp_path / 't')!r})\n"
        f"n = s.read.format('delta').load({str(tmp_path / 't')!r}).count()\n"
        "print(r.capabilities.engine, n)\n"
    )
    jars = str(Path(__file__).resolve().parents[1] / ".cache" / "jars")
    env = {**jvm_env(), "LAKEHOUSE_SPARK_MODE": "spark", "LAKEHOUSE_SPARK_JARS": jars}
    done = run_command([sys.executable, "-c", code], env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "spark 3"


def test_connect_profile_from_the_environment(monkeypatch):
    from lakehouse_assets.code_location import spark_from_env

    monkeypatch.setenv("LAKEHOUSE_SPARK_MODE", "connect")
    monkeypatch.setenv("LAKEHOUSE_CONNECT_PROFILE", "spark")
    monkeypatch.setenv("LAKEHOUSE_SPARK_JARS", "/nowhere")
    resource = spark_from_env()
    assert resource.capabilities.engine == "spark" and resource.spark_jars == "/nowhere"
    monkeypatch.setenv("LAKEHOUSE_CONNECT_PROFILE", "flink")
    with pytest.raises(ValueError, match="LAKEHOUSE_CONNECT_PROFILE='flink' is not one of"):
        spark_from_env()


def test_classic_spark_without_java_names_the_fix(tmp_path: Path):
    """No JVM can start (JAVA_HOME points nowhere): one message naming Java, the jar script and
    the setting, not pyspark's bare JAVA_GATEWAY_EXITED."""
    from tests.jvm_spark import jvm_env

    code = (
        "from lakehouse_assets.engine.resource import SparkResource\n"
        "SparkResource(mode='spark', spark_jars=None).get_session()\n"
    )
    env = {**jvm_env(), "JAVA_HOME": str(tmp_path / "no-java")}
    done = run_command([sys.executable, "-c", code], env=env)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("lakehouse_assets.engine.resource.EngineSetupError: classic Spark")
    assert "Java 17+" in last and ".ci/fetch_jars.sh" in last and "LAKEHOUSE_SPARK_JARS" in last
    assert "io.delta:delta-spark_4.2_2.13:4.4.0" in last


def test_spark_jars_setting_names_the_fix(tmp_path: Path):
    from lakehouse_assets.engine.spark_jars import MissingJarsError, resolve_jars

    with pytest.raises(MissingJarsError, match=r"holds no delta-spark jar: run \.ci/fetch_jars"):
        resolve_jars(str(tmp_path))
    with pytest.raises(MissingJarsError, match=r"LAKEHOUSE_SPARK_JARS.*no such jar file"):
        resolve_jars(f"{tmp_path / 'a.jar'},{tmp_path / 'b.jar'}")
    (tmp_path / "delta-spark_4.2_2.13-4.4.0.jar").write_bytes(b"")
    (tmp_path / "delta-storage-4.4.0.jar").write_bytes(b"")
    assert [Path(j).name for j in resolve_jars(str(tmp_path))] == [
        "delta-spark_4.2_2.13-4.4.0.jar",
        "delta-storage-4.4.0.jar",
    ]
    bad = SparkResource(mode="spark", spark_jars=str(tmp_path / "nowhere"))
    with pytest.raises(MissingJarsError, match="LAKEHOUSE_SPARK_JARS"):
        bad.get_session()


def test_databricks_mode_builds_the_session_without_leaking_the_token(monkeypatch):
    """A fake databricks.connect records the builder calls: no workspace exists here."""
    calls: list[tuple[str, object]] = []

    class Builder:
        def __getattr__(self, name):
            def record(*args):
                calls.append((name, args[0] if args else None))
                return self if name != "getOrCreate" else "SESSION"

            return record

    fake = types.ModuleType("databricks.connect")
    fake.DatabricksSession = types.SimpleNamespace(builder=Builder())
    monkeypatch.setitem(sys.modules, "databricks", types.ModuleType("databricks"))
    monkeypatch.setitem(sys.modules, "databricks.connect", fake)
    monkeypatch.setenv("DATABRICKS_HOST", "https://adb-1.azuredatabricks.net")
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-secret-123")
    monkeypatch.setenv("DATABRICKS_CLUSTER_ID", "0101-abc")
    monkeypatch.setenv("LAKEHOUSE_SPARK_MODE", "databricks")
    from lakehouse_assets.code_location import spark_from_env

    resource = spark_from_env()
    # EnvVar values resolve when Dagster initialises the resource; do what it does.
    from dagster import build_init_resource_context

    live = resource.process_config_and_initialize()
    assert live.get_session() == "SESSION"
    assert calls == [
        ("host", "https://adb-1.azuredatabricks.net"),
        ("token", "dapi-secret-123"),
        ("clusterId", "0101-abc"),
        ("getOrCreate", None),
    ]
    assert "dapi-secret-123" not in repr(live) and "dapi-secret-123" not in repr(resource)
    assert live.capabilities.unity_catalog and not live.capabilities.tables_by_path
    live.stop()  # only this configuration's (fake) session; the local one stays shared
    del build_init_resource_context


def test_databricks_names_tables_by_unity_catalog(demo_dir):
    from lakehouse_assets.engine.capabilities import DATABRICKS
    from lakehouse_assets.project_loader import load_project
    from lakehouse_assets.tables.location import locate_key

    project = load_project(demo_dir, env="dev")
    location = locate_key(project, ("silver", "shop", "orders"), DATABRICKS)
    assert location.sql_ref == "`ct_silver_dev`.`shop`.`orders`"
    assert location.path is None
