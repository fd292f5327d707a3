"""Talking to the Kafka brokers of a contract with confluent-kafka (librdkafka): partitions and
watermarks, and bounded reads of recorded offset ranges.

Every call has a deadline, so an unreachable broker or a missing topic is an error naming the
contract file, the setting and the fix, never a hang. Credentials are resolved from `{env:VAR}`
here, at use, and never appear in an error (librdkafka's own messages do not carry them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lakehouse_assets.contracts.kafka_source import KafkaSettings
from lakehouse_assets.engine.install import pip_command
from lakehouse_assets.ingest.kafka_ranges import OffsetRange, Watermarks
from lakehouse_assets.storage.options import StorageConfigError, StorageOptions

TIMEOUT_S = 30.0  # per broker round trip (metadata, watermarks); reads: without progress


class KafkaSourceError(ValueError):
    """A Kafka source that cannot be read; the message names the contract, setting and fix."""


@dataclass(frozen=True)
class KafkaRecord:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    value: bytes | None
    range_path: str  # the manifest entry it was read for


def secrets(settings: KafkaSettings, where: str) -> tuple[str, str] | None:
    """The SASL username and password, `{env:VAR}` resolved as storage options are (one rule,
    one error naming the field); None without credentials."""
    if not (settings.sasl_username and settings.sasl_password):
        return None
    raw = {"sasl_username": settings.sasl_username, "sasl_password": settings.sasl_password}
    try:
        resolved = StorageOptions(raw, f"{where}: source.kafka").resolved()
    except StorageConfigError as exc:
        raise KafkaSourceError(str(exc)) from None
    return resolved["sasl_username"], resolved["sasl_password"]


def client_config(settings: KafkaSettings, where: str) -> dict[str, Any]:
    """librdkafka settings: DKOps' SASL_SSL + PLAIN when credentials are set."""
    config: dict[str, Any] = {
        "bootstrap.servers": settings.bootstrap_servers,
        "socket.timeout.ms": int(TIMEOUT_S * 1000),
        "logger": _Quiet(),
    }
    credentials = secrets(settings, where)
    if credentials is not None:
        config["security.protocol"] = settings.security_protocol or "SASL_SSL"
        config["sasl.mechanism"] = settings.sasl_mechanism or "PLAIN"
        config["sasl.username"], config["sasl.password"] = credentials
    elif settings.security_protocol:
        config["security.protocol"] = settings.security_protocol
    return config


class _Quiet:
    """librdkafka's log lines (retries to a down broker, every few seconds) are not ours to
    print; failures surface as errors with a fix instead."""

    def log(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return self.log


def require_client(where: str) -> None:
    """confluent-kafka comes with the `kafka` extra: without it, a Kafka source's run (or its
    sensor) says how to install it instead of failing on the import."""
    try:
        import confluent_kafka  # noqa: F401
    except ModuleNotFoundError:
        raise KafkaSourceError(
            f"{where}: source.format: reading Kafka on this host needs confluent-kafka, "
            f"which is not installed (fix: {pip_command('kafka')})"
        ) from None


@contextmanager
def consumer(settings: KafkaSettings, where: str) -> Iterator[Any]:
    require_client(where)
    from confluent_kafka import Consumer

    client = Consumer(
        {
            **client_config(settings, where),
            "group.id": "lakehouse-assets",  # never joined nor committed: ranges are assigned
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "error",  # an offset retention removed is an error, not a skip
        }
    )
    try:
        yield client
    finally:
        client.close()


def _unreachable(settings: KafkaSettings, where: str, error: object) -> KafkaSourceError:
    return KafkaSourceError(
        f"{where}: source.kafka.bootstrap_servers: no Kafka broker answered at "
        f"{settings.bootstrap_servers} within {TIMEOUT_S:.0f} s ({error}): start the broker or "
        "fix bootstrap_servers (host:port, comma-separated), and its credentials if it needs SASL"
    )


def watermarks(settings: KafkaSettings, where: str, timeout_s: float = TIMEOUT_S) -> Watermarks:
    """(low, high) offsets of every partition of the contract's topics."""
    require_client(where)
    from confluent_kafka import KafkaException, TopicPartition

    marks: Watermarks = {}
    with consumer(settings, where) as client:
        for topic in settings.topics:
            try:
                meta = client.list_topics(topic, timeout=timeout_s)
            except KafkaException as exc:
                raise _unreachable(settings, where, exc.args[0]) from None
            found = meta.topics.get(topic)
            if found is None or found.error is not None or not found.partitions:
                if not meta.brokers:
                    raise _unreachable(settings, where, "no broker in the metadata")
                raise KafkaSourceError(
                    f"{where}: source.kafka.topic: topic {topic!r} does not exist on "
                    f"{settings.bootstrap_servers}: create it, or fix the topic name"
                )
            for partition in sorted(found.partitions):
                try:
                    low, high = client.get_watermark_offsets(
                        TopicPartition(topic, partition), timeout=timeout_s
                    )
                except KafkaException as exc:
                    raise _unreachable(settings, where, exc.args[0]) from None
                marks[(topic, partition)] = (low, high)
    return marks


def read_ranges(
    settings: KafkaSettings, where: str, ranges: list[OffsetRange], timeout_s: float = TIMEOUT_S
) -> list[KafkaRecord]:
    """Every message of the ranges, in range order. Each read stops at the range's last offset,
    at the first offset past it, or at the end of the partition: offsets missing inside a range
    (compacted away, transaction markers) end nothing and wait for nothing."""
    records: list[KafkaRecord] = []
    with consumer(settings, where) as client:
        for r in ranges:
            records += _read_one(client, settings, where, r, timeout_s)
    return records


def _read_one(
    client: Any, settings: KafkaSettings, where: str, r: OffsetRange, timeout_s: float
) -> list[KafkaRecord]:
    from confluent_kafka import KafkaError, TopicPartition

    client.assign([TopicPartition(r.topic, r.partition, r.start)])
    out: list[KafkaRecord] = []
    quiet_since = time.monotonic()
    try:
        while True:
            msg = client.poll(1.0)
            if msg is None:
                if time.monotonic() - quiet_since > timeout_s:
                    raise _unreachable(settings, where, f"no message of {r.path} arrived")
                continue
            quiet_since = time.monotonic()
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    return out
                if error.code() == KafkaError._AUTO_OFFSET_RESET:
                    raise KafkaSourceError(
                        f"{where}: source.kafka: offsets {r.start}-{r.end} of topic {r.topic} "
                        f"partition {r.partition} are no longer on the broker (topic retention "
                        "removed them, or the topic was recreated): this range cannot be read "
                        "again; raise the topic's retention.ms above how far back you re-run "
                        "bronze"
                    )
                if error.fatal() or not error.retriable():
                    raise KafkaSourceError(
                        f"{where}: source.kafka: reading {r.path} failed ({error.str()}): check "
                        "the topic, bootstrap_servers and credentials"
                    )
                continue
            if (msg.topic(), msg.partition()) != (r.topic, r.partition) or msg.offset() < r.start:
                continue  # a message of a previous assignment still in the queue
            if msg.offset() >= r.end:
                return out
            kind, stamp = msg.timestamp()
            out.append(
                KafkaRecord(
                    r.topic,
                    r.partition,
                    msg.offset(),
                    stamp if kind != 0 else None,  # 0: TIMESTAMP_NOT_AVAILABLE
                    msg.value(),
                    r.path,
                )
            )
            if msg.offset() >= r.end - 1:
                return out
    finally:
        client.unassign()
