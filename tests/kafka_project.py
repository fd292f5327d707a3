"""A Kafka-sourced bronze table for tests on the real broker (tests/kafka_broker.py): its
contracts, topics, producing messages, and reading back the bronze and quarantine rows."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, SensorResult, build_sensor_context

from lakehouse_assets.assets.specs import contract_specs
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.sensors.landing import landing_sensors
from tests.conftest import DEMO_CONTRACTS, write_contract_folder
from tests.helpers import delta_rows, table_path

KEY = "bronze/shop/clicks_raw"
TIMEOUT_S = 60.0

TABLE = {
    "catalog": "{catalog.bronze}",
    "schema": "shop",
    "name": "clicks_raw",
    "columns": [
        {"name": "click_id", "type": "BIGINT", "nullable": False},
        {"name": "page", "type": "STRING"},
        {"name": "amount", "type": "DECIMAL(10,2)"},
        {"name": "_kafka_topic", "type": "STRING"},
        {"name": "_kafka_partition", "type": "INT"},
        {"name": "_kafka_offset", "type": "BIGINT"},
        {"name": "_kafka_timestamp", "type": "TIMESTAMP"},
        {"name": "_raw_value", "type": "STRING"},
    ],
    "partitions": ["_ingested_date"],
}


def ingestion(topic: str, bootstrap: str) -> dict[str, Any]:
    return {
        "name": "clicks",
        "ingest_type": "streaming",
        "source": {
            "format": "kafka",
            "kafka": {"topic": topic, "bootstrap_servers": bootstrap},
        },
        "metadata": {"add_kafka_metadata": True},
        "destination_contract": "../tables/bronze/clicks_raw.json",
    }


def make_project(root: Path, topic: str, bootstrap: str):
    config = (DEMO_CONTRACTS / "config.json").read_text()
    write_contract_folder(
        root,
        {
            "config.json": config,
            "tables/bronze/clicks_raw.json": json.dumps(TABLE),
            "ingestion/clicks.json": json.dumps(ingestion(topic, bootstrap)),
        },
    )
    return load_project_or_raise(str(root))


def create_topic(bootstrap: str, partitions: int) -> str:
    from confluent_kafka.admin import AdminClient, NewTopic

    topic = f"clicks-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions)])
    futures[topic].result(timeout=TIMEOUT_S)
    return topic


def produce(bootstrap: str, topic: str, values: list[tuple[int, bytes]]) -> None:
    """(partition, value) messages, acknowledged by the broker before returning."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap})
    errors: list[str] = []
    for partition, value in values:
        producer.produce(
            topic, value, partition=partition, on_delivery=lambda e, _: e and errors.append(str(e))
        )
    assert producer.flush(TIMEOUT_S) == 0 and errors == []


def click(i: int, amount: str = "1.50") -> bytes:
    return json.dumps({"click_id": i, "page": f"/p/{i}", "amount": amount}).encode()


def tick(project, instance: DagsterInstance, cursor: str | None) -> SensorResult:
    specs = contract_specs(project)
    (sensor,) = landing_sensors(project, specs)
    result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult)
    return result


def checks(result) -> dict[str, Any]:
    """Each asset check's outcome and metadata, by check name."""
    out = {}
    for event in result.get_asset_check_evaluations():
        out[event.check_name] = (event.passed, {k: v.value for k, v in event.metadata.items()})
    return out


def bronze(project) -> list[dict[str, Any]]:
    rows = delta_rows(table_path(project, KEY))
    return sorted(rows, key=lambda r: (r["_kafka_partition"], r["_kafka_offset"]))


def quarantine(project) -> list[dict[str, Any]]:
    path = Path(str(table_path(project, KEY)) + "_quarantine")
    return delta_rows(path) if path.exists() else []
