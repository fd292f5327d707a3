"""Kafka source contracts: load-time errors naming the file and the field (never a secret), and
how recorded offset ranges follow starting_offsets and the broker's watermarks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.contracts.errors import ContractError
from lakehouse_assets.contracts.kafka_source import KafkaSettings
from lakehouse_assets.ingest.kafka_ranges import OffsetRange, next_ranges, parse_range
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.project_loader import load_project_or_raise
from tests.conftest import DEMO_CONTRACTS, write_contract_folder

SECRET = "hunter2-do-not-print"
TABLE = {
    "catalog": "{catalog.bronze}",
    "schema": "shop",
    "name": "clicks_raw",
    "columns": [{"name": "click_id", "type": "BIGINT"}, {"name": "_kafka_ts", "type": "TIMESTAMP"}],
}


def load(root: Path, source: dict[str, Any], metadata: dict[str, Any] | None = None):
    contract = {
        "name": "clicks",
        "source": source,
        "metadata": metadata or {},
        "destination_contract": "../tables/bronze/clicks_raw.json",
    }
    write_contract_folder(
        root,
        {
            "config.json": (DEMO_CONTRACTS / "config.json").read_text(),
            "tables/bronze/clicks_raw.json": json.dumps(TABLE),
            "ingestion/clicks.json": json.dumps(contract),
        },
    )
    return load_project_or_raise(str(root))


def error_of(root: Path, source: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
    with pytest.raises(ContractError) as caught:
        load(root, source, metadata)
    return str(caught.value)


def kafka(**block: Any) -> dict[str, Any]:
    return {"format": "kafka", "kafka": block}


@pytest.mark.parametrize(
    ("source", "field", "words"),
    [
        (kafka(bootstrap_servers="b:9092"), "source.kafka.topic", "required"),
        (kafka(topic="clicks"), "source.kafka.bootstrap_servers", "required"),
        (kafka(topic="clicks", bootstrap_servers=" "), "source.kafka.bootstrap_servers", "host"),
        (kafka(topic="a b", bootstrap_servers="b:9092"), "source.kafka.topic", "topic name"),
        (
            kafka(topic="clicks", bootstrap_servers="b:9092", starting_offsets="soon"),
            "source.kafka.starting_offsets",
            "earliest",
        ),
        (
            kafka(topic="clicks", bootstrap_servers="b:9092", starting_offsets='{"clicks": '),
            "source.kafka.starting_offsets",
            "not valid JSON",
        ),
        (
            kafka(topic="clicks", bootstrap_servers="b", starting_offsets={"other": {"0": 1}}),
            "source.kafka",
            "'other'",
        ),
        ({"format": "kafka"}, "source", '"kafka" block'),
        (
            {"format": "json", "path": "x", "kafka": {"topic": "t", "bootstrap_servers": "b"}},
            "source",
            'only with "format": "kafka"',
        ),
        ({"format": "json"}, "source", "'path'"),
    ],
)
def test_contract_errors_name_file_and_field(tmp_path, source, field, words):
    message = error_of(tmp_path, source)
    assert f"ingestion/clicks.json: {field}" in message
    assert words in message


def test_kafka_metadata_on_a_file_source_is_an_error(tmp_path):
    message = error_of(tmp_path, {"format": "json", "path": "x"}, {"add_kafka_metadata": True})
    assert "ingestion/clicks.json" in message and "add_kafka_metadata" in message


def test_secrets_never_in_errors_or_reprs(tmp_path):
    lone = kafka(topic="clicks", bootstrap_servers="b:9092", sasl_password=SECRET)
    message = error_of(tmp_path, lone)
    assert "sasl_username and sasl_password go together" in message
    assert SECRET not in message
    project = load(
        tmp_path / "ok",
        kafka(
            topic="clicks",
            bootstrap_servers="b:9092",
            sasl_username="svc",
            sasl_password=SECRET,
        ),
    )
    (contract,) = project.ingestions.values()
    settings = contract.source.kafka
    assert settings is not None and settings.sasl_password == SECRET
    assert SECRET not in repr(settings) and SECRET not in str(settings)


def test_a_kafka_source_needs_no_path_and_fills_kafka_ts_when_declared(tmp_path):
    """DKOps' `_kafka_ts`, declared by the bronze contract, takes the message time (no
    `_kafka_timestamp` is added next to it)."""
    from lakehouse_assets.tables.physical import physical_columns

    project = load(tmp_path, kafka(topic="clicks", bootstrap_servers="b:9092"),
                   {"add_kafka_metadata": True})  # fmt: skip
    (asset,) = [a for a in project.assets.values() if a.kind == "bronze"]
    names = [c.name for c in physical_columns(asset)]
    assert "_kafka_ts" in names and "_kafka_timestamp" not in names
    assert {"_kafka_topic", "_kafka_partition", "_kafka_offset", "_raw_value"} <= set(names)


def entry(path: str) -> ManifestEntry:
    return ManifestEntry("s", path, 0, 0.0, "2024-01-01", datetime.now(timezone.utc))


def settings(offsets: Any = "earliest", topic: str = "t") -> KafkaSettings:
    return KafkaSettings(topic=topic, bootstrap_servers="b:9092", starting_offsets=offsets)


MARKS = {("t", 0): (0, 10), ("t", 1): (4, 7)}


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ("earliest", [("t", 0, 0, 10), ("t", 1, 4, 7)]),
        ("latest", []),  # nothing yet: the next ranges start at today's high watermarks
        ({"t": {"0": 6, "1": 2}}, [("t", 0, 6, 10), ("t", 1, 4, 7)]),  # 2 < low: from low
        ('{"t": {"0": -1}}', [("t", 1, 4, 7)]),  # JSON text; partition 1 unnamed: earliest
    ],
)
def test_first_ranges_follow_starting_offsets(offsets, expected):
    assert [
        (r.topic, r.partition, r.start, r.end) for r in next_ranges(settings(offsets), [], MARKS)
    ] == expected


def test_next_ranges_start_where_the_last_one_ended_and_round_trip_paths():
    known = [entry(OffsetRange("t", 0, 0, 4).path), entry(OffsetRange("t", 0, 4, 8).path)]
    fresh = next_ranges(settings("latest"), known, MARKS)
    assert fresh == [OffsetRange("t", 0, 8, 10)]  # partition 1: latest, nothing new
    assert parse_range(fresh[0].path) == fresh[0]
    assert fresh[0].path == "kafka://t/0/8-10"
    # Landing paths are not ranges, and dated-looking topics do not pass for dates.
    assert parse_range("/landing/dt=2024-01-01/a.json") is None
    from lakehouse_assets.ingest.landing import date_in_path

    assert date_in_path(OffsetRange("2024", 10, 12, 20).path) is None
    # Nothing new when the watermark has not moved.
    assert next_ranges(settings(), [*known, entry(fresh[0].path)], {("t", 0): (0, 10)}) == []


def test_comma_list_of_topics():
    both = settings({"a": {"0": 3}}, topic="a, b")
    assert both.topics == ["a", "b"]
    assert both.start_of("a", 0) == 3 and both.start_of("b", 0) == -2


def test_without_confluent_kafka_the_error_names_the_extra():
    """An environment without the `kafka` extra: the package is made unimportable in a child
    interpreter (as if never installed); the error names the contract and the pip command."""
    code = (
        "import sys; sys.modules['confluent_kafka'] = None\n"
        "from lakehouse_assets.contracts.kafka_source import KafkaSettings\n"
        "from lakehouse_assets.ingest.kafka_client import KafkaSourceError, watermarks\n"
        "try:\n"
        "    watermarks(KafkaSettings(topic='t', bootstrap_servers='b:9092'), 'ingestion/k.json')\n"
        "except KafkaSourceError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.startswith("ingestion/k.json: source.format: reading Kafka on this host needs")
    assert 'pip install -e ".[kafka]"' in out
