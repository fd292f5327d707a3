"""Apache Spark processes tests start on 127.0.0.1 from pyspark's own bin/ (a Spark Connect
server with Delta, a standalone master and worker), each stopped by its pid even when the test
fails. Tests need Java and the Delta jars from .ci/fetch_jars.sh; without them they skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lakehouse_assets.engine.spark_jars import (
    DELTA_CONF,
    FETCH_COMMAND,
    LOCAL_JVM_CONF,
    fetched_jars,
)
from tests.helpers import free_port, stop_process, wait_until_listening, without_connect_client

REPO = Path(__file__).resolve().parents[1]
JVM_START_S = 240  # a JVM with Delta on a loaded 2-core machine: generous, never a timing test


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def jvm_env() -> dict[str, str]:
    """This environment minus what a Spark Connect client in this process set: a classic
    Spark (or spark-submit) must not take itself for a Connect client."""
    env = without_connect_client()
    # Executors a standalone worker starts run this interpreter and import this checkout.
    path = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return {
        **env,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "PYTHONPATH": path,
    }


def require_delta_jars() -> list[str]:
    """The fetched Delta jars, or skip naming the command that fetches them (and Java)."""
    if shutil.which("java") is None:
        pytest.skip("Apache Spark needs Java 17: apt-get install openjdk-17-jre-headless")
    jars = fetched_jars(REPO)
    if not jars:
        pytest.skip(f"no Delta jars in {REPO / '.cache/jars'}: run {FETCH_COMMAND} (Maven)")
    return jars


def conf_args(conf: dict[str, str]) -> list[str]:
    return [arg for k, v in conf.items() for arg in ("--conf", f"{k}={v}")]


@contextmanager
def spark_connect_server(jars: list[str], log: Path) -> Iterator[str]:
    """A JVM Spark Connect server with Delta (master local[2]) on a free port; its sc:// URL."""
    port = free_port()
    conf = {
        **DELTA_CONF,
        **LOCAL_JVM_CONF,
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.sql.session.timeZone": "UTC",
    }
    command = [
        str(spark_home() / "bin" / "spark-submit"),
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master", "local[2]", "--driver-memory", "1g", "--jars", ",".join(jars),
        *conf_args(conf), "spark-internal",
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=jvm_env(), start_new_session=True
        )
    try:
        wait_until_listening(proc, port, JVM_START_S, "the Spark Connect server", log)
        yield f"sc://127.0.0.1:{port}"
    finally:
        stop_process(proc)


@contextmanager
def standalone_cluster(log_dir: Path, workers: int = 1) -> Iterator[str]:
    """A standalone master and `workers` workers (1 core, 1 GiB each); the spark:// URL."""
    port, ui = free_port(), free_port()
    spark_class = str(spark_home() / "bin" / "spark-class")
    started: list[subprocess.Popen] = []
    try:
        master = ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1"]
        started.append(_daemon([spark_class, *master, "--port", str(port), "--webui-port",
                                str(ui)], log_dir / "master.log"))  # fmt: skip
        wait_until_listening(
            started[0], port, JVM_START_S, "the Spark master", log_dir / "master.log"
        )
        url = f"spark://127.0.0.1:{port}"
        for n in range(workers):
            worker = ["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1"]
            args = [*worker, "--cores", "1", "--memory", "1g", "--webui-port", str(free_port())]
            work = log_dir / f"worker{n}"
            started.append(_daemon([spark_class, *args, "--work-dir", str(work), url],
                                   log_dir / f"worker{n}.log"))  # fmt: skip
        yield url
    finally:
        for proc in reversed(started):
            stop_process(proc)


def _daemon(command: list[str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=jvm_env(), start_new_session=True
        )
