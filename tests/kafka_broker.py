"""A real Apache Kafka broker for tests: Kafka itself (jars from .ci/kafka.sh) in KRaft mode,
broker and controller in one JVM on 127.0.0.1, its log dir formatted in a tmp folder, started
and stopped by the test by its own pid, so clients talk to it over the real Kafka protocol."""

from __future__ import annotations

import base64
import contextlib
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import free_port, run_command, serving

JARS = REPO / ".cache" / "kafka"
FETCH_COMMAND = "bash .ci/kafka.sh"
START_TIMEOUT_S = 180.0  # a JVM on a loaded 2-core machine takes tens of seconds
# Small heap, quick start (C1 only): a one-partition test broker needs neither more.
JVM_OPTIONS = ["-Xms128m", "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true"]
LOG4J2 = """status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
"""


def require_kafka() -> None:
    if not any(JARS.glob("kafka_2.13-*.jar")):
        pytest.skip(f"no Kafka broker jars in {JARS}: run {FETCH_COMMAND} (Maven)")
    if shutil.which("java") is None:
        pytest.skip(
            "no java on PATH: Kafka's broker needs Java 17 (apt-get install openjdk-17-jre)"
        )


def server_properties(log_dir: Path, port: int, controller_port: int) -> str:
    """One node that is its own broker and KRaft controller (a static one-voter quorum); every
    internal topic at replication 1, as a single broker can hold."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(log_dir),
        "num.partitions": "1",
        "default.replication.factor": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Consumers join a group at once, not after the default 3 s wait for more members.
        "group.initial.rebalance.delay.ms": "0",
        # Tests create their topics: a typo in a topic name fails instead of making one.
        "auto.create.topics.enable": "false",
    }
    return "".join(f"{k}={v}\n" for k, v in settings.items())


def cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (22 characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


def wait_for_metadata(bootstrap: str, deadline_s: float, log: Path) -> None:
    """Until the broker answers a metadata request naming itself (listening comes before the
    controller has registered it)."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": bootstrap})
    deadline = time.monotonic() + deadline_s
    error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if admin.list_topics(timeout=10).brokers:
                return
        except KafkaException as exc:
            error = exc
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-3000:]
    raise AssertionError(
        f"Kafka at {bootstrap} answered no metadata in {deadline_s} s: {error}\n{tail}"
    )


@contextlib.contextmanager
def kafka_broker(folder: Path) -> Iterator[str]:
    """The bootstrap servers (127.0.0.1:PORT) of a fresh Kafka broker whose config, data and log
    live in `folder`; the JVM is stopped by its pid on exit, even when the test fails."""
    require_kafka()
    port, controller_port = free_port(), free_port()
    properties = folder / "server.properties"
    properties.write_text(server_properties(folder / "data", port, controller_port))
    (folder / "log4j2.properties").write_text(LOG4J2)
    java = ["java", *JVM_OPTIONS, f"-Dlog4j2.configurationFile={folder / 'log4j2.properties'}"]
    java += ["-cp", f"{JARS}/*"]
    formatted = run_command(
        [*java, "kafka.tools.StorageTool", "format", "-t", cluster_id(), "-c", str(properties)],
        timeout_s=START_TIMEOUT_S,
    )
    output = (formatted.stdout + formatted.stderr)[-3000:]
    assert formatted.returncode == 0, f"Kafka storage format failed: {output}"
    log = folder / "kafka.log"
    args = [*java, "kafka.Kafka", str(properties)]
    with serving(args, port, log, "Kafka", cwd=folder, deadline_s=START_TIMEOUT_S):
        bootstrap = f"127.0.0.1:{port}"
        wait_for_metadata(bootstrap, START_TIMEOUT_S, log)
        yield bootstrap
