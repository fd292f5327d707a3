"""The Kafka broker tests use (tests/kafka_broker.py) is a real one: a topic with 2 partitions
takes keyed JSON messages and gives them back, per partition and offset, to a bounded read from
the earliest offsets, the same to a second consumer group."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from confluent_kafka import OFFSET_INVALID, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TIMEOUT_S = 60.0  # per broker round trip: generous for a loaded 2-core machine
MESSAGES = [
    {"order_id": i, "amount": 10 * i, "status": "new" if i < 5 else "paid"} for i in range(10)
]

Record = tuple[int, int, str, dict[str, Any]]  # partition, offset, key, value


def create_topic(bootstrap: str, partitions: int) -> str:
    topic = f"orders-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=1)]
    )
    futures[topic].result(timeout=TIMEOUT_S)
    return topic


def produce(bootstrap: str, topic: str) -> list[Record]:
    """Each message keyed by its order id, to partition order_id % 2 (set here: librdkafka's
    default key partitioner is not Kafka's); what the broker acknowledged, as records."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    acked: list[Record] = []
    errors: list[str] = []

    def delivered(err: KafkaError | None, msg: Any) -> None:
        if err is not None:
            errors.append(str(err))
        else:
            acked.append(
                (msg.partition(), msg.offset(), msg.key().decode(), json.loads(msg.value()))
            )

    for message in MESSAGES:
        key = f"order-{message['order_id']}"
        partition = message["order_id"] % 2
        producer.produce(
            topic, json.dumps(message), key, partition=partition, on_delivery=delivered
        )
    assert producer.flush(TIMEOUT_S) == 0, "messages still unacknowledged"
    assert errors == []
    return acked


def read_range(
    bootstrap: str, group: str, topic: str, partitions: int
) -> tuple[list[Record], dict]:
    """Every message from each partition's low to its high watermark (taken before reading, so
    the read ends), committed to `group`; the records and the group's offsets before the read."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    )
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        committed_before = {tp.partition: tp.offset for tp in consumer.committed(tps, TIMEOUT_S)}
        bounds = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), TIMEOUT_S)
            for p in range(partitions)
        }
        consumer.assign([TopicPartition(topic, p, low) for p, (low, _) in bounds.items()])
        next_offset = {p: low for p, (low, _) in bounds.items()}
        records: list[Record] = []
        deadline = time.monotonic() + TIMEOUT_S
        while any(next_offset[p] < high for p, (_, high) in bounds.items()):
            if time.monotonic() > deadline:
                raise AssertionError(f"read stopped at {next_offset}, bounds {bounds}")
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            p, offset = msg.partition(), msg.offset()
            if offset >= bounds[p][1]:
                continue  # past the bound taken before the read
            records.append((p, offset, msg.key().decode(), json.loads(msg.value())))
            next_offset[p] = offset + 1
        commits = [TopicPartition(topic, p, next_offset[p]) for p in range(partitions)]
        consumer.commit(offsets=commits, asynchronous=False)
        return sorted(records), committed_before
    finally:
        consumer.close()


def committed(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], TIMEOUT_S)
        return {tp.partition: tp.offset for tp in tps}
    finally:
        consumer.close()


def test_keyed_json_messages_round_trip_per_partition_and_group(kafka_bootstrap):
    topic = create_topic(kafka_bootstrap, partitions=2)
    acked = produce(kafka_bootstrap, topic)

    expected = sorted(
        (m["order_id"] % 2, m["order_id"] // 2, f"order-{m['order_id']}", m) for m in MESSAGES
    )
    assert sorted(acked) == expected  # order_id 0,2,4,6,8 at offsets 0..4 of partition 0, ...

    first, first_before = read_range(kafka_bootstrap, "bronze-a", topic, 2)
    assert first == expected
    assert first_before == {0: OFFSET_INVALID, 1: OFFSET_INVALID}  # a new group: nothing committed
    assert committed(kafka_bootstrap, "bronze-a", topic, 2) == {0: 5, 1: 5}

    second, second_before = read_range(kafka_bootstrap, "bronze-b", topic, 2)
    assert second_before == {
        0: OFFSET_INVALID,
        1: OFFSET_INVALID,
    }  # group a's commits are not group b's
    assert second == first
    assert committed(kafka_bootstrap, "bronze-b", topic, 2) == {0: 5, 1: 5}
