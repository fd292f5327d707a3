"""The Spark resource in each mode: connect (a Sail server in another process), classic spark,
and databricks (a fake DatabricksSession: no workspace can exist here)."""

from __future__ import annotations

import os
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
    assert last.startswith("lakehouse_assets.engine.setup_error.EngineSetupError: classic Spark")
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


@pytest.mark.parametrize(
    ("mode", "missing", "extra"),
    [("local", "pysail", "local"), ("connect", "pyspark", "local"), ("spark", "delta", "spark")],
)
def test_a_mode_without_its_extra_names_the_pip_command(monkeypatch, mode, missing, extra):
    """The base install has no Spark client: a session asks for the extra that brings one.
    (A module set to None in sys.modules fails to import, as an absent one does.)"""
    from lakehouse_assets.engine.install import MODULES, require_modules
    from lakehouse_assets.engine.setup_error import EngineSetupError

    for module in [m for m in sys.modules if m == missing or m.startswith(missing + ".")]:
        monkeypatch.delitem(sys.modules, module)
    for module in MODULES[mode]:
        if module.split(".")[0] == missing:
            monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(EngineSetupError) as info:
        require_modules(mode)
    assert str(info.value) == (
        f"LAKEHOUSE_SPARK_MODE={mode} needs {missing}, which is not installed "
        f"({MODULES[mode][[m.split('.')[0] for m in MODULES[mode]].index(missing)]}): "
        f'pip install -e ".[{extra}]" (from the repo root; from a wheel: "<wheel>[{extra}]")'
    )


@pytest.fixture
def fake_databricks_connect(monkeypatch):
    """databricks.connect and databricks.sdk.core as far as the resource uses them (the real
    wheel is checked in tests/test_install_extras.py): Config keeps what it is given, as the SDK
    does before reading the environment; the builder records its calls."""
    calls: list[tuple[str, object]] = []

    class Config:
        def __init__(self, **kwargs):
            if kwargs.get("profile") == "missing":
                token = os.environ.get("DATABRICKS_TOKEN")
                raise ValueError(f"resolve: profile=missing not found, token={token}")
            self.kwargs = kwargs

    class Builder:
        def sdkConfig(self, config):
            calls.append(("sdkConfig", config.kwargs))
            return self

        def getOrCreate(self):
            calls.append(("getOrCreate", None))
            return "SESSION"

    connect = types.ModuleType("databricks.connect")
    connect.DatabricksSession = types.SimpleNamespace(builder=Builder())
    core = types.ModuleType("databricks.sdk.core")
    core.Config = Config
    for name, module in {
        "databricks": types.ModuleType("databricks"),
        "databricks.connect": connect,
        "databricks.sdk": types.ModuleType("databricks.sdk"),
        "databricks.sdk.core": core,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    # The shared venv has OSS pyspark; a databricks environment has none (checked for real
    # in test_install_extras.py).
    monkeypatch.setattr(
        "lakehouse_assets.engine.databricks_session.require_no_oss_pyspark", lambda: None
    )
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    return calls


def test_databricks_mode_leaves_auth_to_the_sdk(fake_databricks_connect, monkeypatch):
    """Unified auth: from the environment nothing is copied into the SDK's Config (it reads
    DATABRICKS_* itself), so an unset DATABRICKS_TOKEN fails nothing at init."""
    monkeypatch.setenv("LAKEHOUSE_SPARK_MODE", "databricks")
    monkeypatch.delenv("DATABRICKS_TOKEN", raising=False)
    monkeypatch.setenv("DATABRICKS_CLIENT_ID", "sp-1")
    monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", "oauth-secret-123")
    from lakehouse_assets.code_location import spark_from_env

    live = spark_from_env().process_config_and_initialize()
    assert live.get_session() == "SESSION"
    assert fake_databricks_connect == [("sdkConfig", {}), ("getOrCreate", None)]
    assert live.capabilities.unity_catalog and not live.capabilities.tables_by_path
    live.stop()  # only this configuration's (fake) session; the local one stays shared


def test_databricks_explicit_settings_go_into_the_config(fake_databricks_connect):
    resource = SparkResource(
        mode="databricks",
        databricks_host="https://adb-1.azuredatabricks.net",
        databricks_token="dapi-secret-123",
        databricks_profile="prod",
        databricks_cluster_id="0101-abc",
        databricks_serverless=True,
    )
    assert resource.get_session() == "SESSION"
    assert fake_databricks_connect[0] == (
        "sdkConfig",
        {
            "host": "https://adb-1.azuredatabricks.net",
            "token": "dapi-secret-123",
            "profile": "prod",
            "serverless_compute_id": "auto",  # serverless wins over a cluster id
        },
    )
    assert "dapi-secret-123" not in repr(resource)
    assert "dapi-secret-123" not in repr(resource.databricks_settings())
    resource.stop()


def test_databricks_auth_errors_name_the_settings_without_the_secret(
    fake_databricks_connect, monkeypatch
):
    from lakehouse_assets.engine.setup_error import EngineSetupError

    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-secret-456")
    resource = SparkResource(mode="databricks", databricks_profile="missing")
    with pytest.raises(EngineSetupError) as info:
        resource.get_session()
    message = str(info.value)
    assert "dapi-secret-456" not in message and "token=***" in message
    assert message.startswith("Databricks auth: resolve: profile=missing not found")
    assert "DATABRICKS_CONFIG_PROFILE" in message and "DATABRICKS_CLUSTER_ID" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_databricks_names_tables_by_unity_catalog(demo_dir):
    from lakehouse_assets.engine.capabilities import DATABRICKS
    from lakehouse_assets.project_loader import load_project
    from lakehouse_assets.tables.location import locate_key

    project = load_project(demo_dir, env="dev")
    location = locate_key(project, ("silver", "shop", "orders"), DATABRICKS)
    assert location.sql_ref == "`ct_silver_dev`.`shop`.`orders`"
    assert location.path is None
