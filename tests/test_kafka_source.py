"""A Kafka source end to end on a real broker (tests/kafka_broker.py), through Dagster: produce,
sense (the landing sensor records offset ranges), ingest, re-run (same rows), produce more,
ingest only the new offsets into the same day, a malformed message quarantined with its
`_raw_value`, and the row accounting balanced on every run."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterInstance

from lakehouse_assets.ingest.kafka_ranges import parse_range, today
from tests.helpers import run_assets
from tests.kafka_project import (
    KEY,
    bronze,
    checks,
    click,
    create_topic,
    make_project,
    produce,
    quarantine,
    tick,
)


@pytest.mark.slow
def test_produce_sense_ingest_rerun_more_and_malformed(
    kafka_bootstrap, tmp_path, data_root, spark_resource
):
    topic = create_topic(kafka_bootstrap, 2)
    project = make_project(tmp_path / "contracts", topic, kafka_bootstrap)
    produce(kafka_bootstrap, topic, [(i % 2, click(i)) for i in range(6)])
    day = today()
    with DagsterInstance.ephemeral() as instance:
        first = tick(project, instance, None)
        assert [r.partition_key for r in first.run_requests] == [day]
        # Repeated tick, nothing produced: no new range, no request.
        assert tick(project, instance, first.cursor).run_requests == []
        run = run_assets(project, spark_resource, [KEY], day, instance)
        rows = bronze(project)
        assert [(r["_kafka_partition"], r["_kafka_offset"]) for r in rows] == [
            (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)
        ]  # fmt: skip
        assert sorted(r["click_id"] for r in rows) == list(range(6))
        assert {r["_kafka_topic"] for r in rows} == {topic}
        assert all(r["_kafka_timestamp"] is not None for r in rows)
        assert json.loads(rows[0]["_raw_value"])["click_id"] == rows[0]["click_id"]
        assert str(rows[0]["amount"]) == "1.50"
        assert checks(run)["row_accounting"][0] is True

        # Re-run of the day: the same offsets, the same rows.
        run_assets(project, spark_resource, [KEY], day, instance)
        again = bronze(project)
        strip = [{k: v for k, v in r.items() if k != "_ingested_at"} for r in again]
        assert strip == [{k: v for k, v in r.items() if k != "_ingested_at"} for r in rows]

        # More messages, one not JSON and one whose amount is no number: the sensor records
        # new ranges into the same day (appended to its ranges) and requests a run.
        produce(
            kafka_bootstrap,
            topic,
            [(0, click(6)), (1, b"{not json"), (0, click(7, amount="lots")), (1, click(8))],
        )
        second = tick(project, instance, first.cursor)
        assert [r.partition_key for r in second.run_requests] == [day]
        assert second.run_requests[0].run_key != first.run_requests[0].run_key
        assert tick(project, instance, second.cursor).run_requests == []
        from lakehouse_assets.assets.bronze import manifest_for

        ranges = sorted(parse_range(e.file_path) for e in manifest_for(project).files_for(KEY, day))
        assert [(r.partition, r.start, r.end) for r in ranges] == [
            (0, 0, 3), (0, 3, 5), (1, 0, 3), (1, 3, 5)
        ]  # fmt: skip
        later = run_assets(project, spark_resource, [KEY], day, instance)
    rows = bronze(project)
    assert sorted(r["click_id"] for r in rows) == [0, 1, 2, 3, 4, 5, 6, 8]
    assert [(r["_kafka_partition"], r["_kafka_offset"]) for r in rows] == [
        (0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 4)
    ]  # fmt: skip
    bad = sorted(quarantine(project), key=lambda r: r["_raw_value"])
    assert [r["_raw_value"] for r in bad] == [click(7, amount="lots").decode(), "{not json"]
    assert bad[0]["_quarantine_reason"].startswith(f"kafka topic {topic} partition 0 offset 4: ")
    assert "amount" in bad[0]["_quarantine_reason"]
    assert bad[1]["_quarantine_reason"] == (
        f"kafka topic {topic} partition 1 offset 3: malformed JSON record"
    )
    passed, account = checks(later)["row_accounting"]
    assert passed is True
    assert (account["rows_in"], account["rows_written"], account["rows_quarantined"]) == (10, 8, 2)


def test_unknown_topic_fails_the_run_naming_contract_setting_and_fix(
    kafka_bootstrap, tmp_path, data_root, spark_resource
):
    project = make_project(tmp_path / "contracts", "no-such-topic", kafka_bootstrap)
    result = run_assets(project, spark_resource, [KEY], today(), raise_on_error=False)
    assert not result.success
    [event] = result.get_step_failure_events()
    data = event.step_failure_data.user_failure_data
    assert data is not None, event.step_failure_data.error
    assert "ingestion/clicks.json: source.kafka.topic: topic 'no-such-topic' does not exist" in (
        data.description
    )
    assert "create it, or fix the topic name" in data.description


def test_unreachable_broker_is_a_bounded_error_without_the_secret(monkeypatch):
    """A closed port: the metadata request gives up after its timeout with the setting and
    the fix; the SASL password (from {env:...}) appears nowhere in the error."""
    from lakehouse_assets.contracts.kafka_source import KafkaSettings
    from lakehouse_assets.ingest.kafka_client import KafkaSourceError, watermarks
    from tests.helpers import free_port

    monkeypatch.setenv("KAFKA_TEST_PASSWORD", "s3cr3t-value")
    settings = KafkaSettings(
        topic="clicks",
        bootstrap_servers=f"127.0.0.1:{free_port()}",
        sasl_username="svc",
        sasl_password="{env:KAFKA_TEST_PASSWORD}",
        security_protocol="SASL_PLAINTEXT",
    )
    with pytest.raises(KafkaSourceError) as caught:
        watermarks(settings, "ingestion/clicks.json", timeout_s=3.0)
    message = str(caught.value)
    assert message.startswith("ingestion/clicks.json: source.kafka.bootstrap_servers: ")
    assert "start the broker or fix bootstrap_servers" in message
    assert "s3cr3t-value" not in message


def test_unset_secret_variable_names_the_field(monkeypatch):
    from lakehouse_assets.contracts.kafka_source import KafkaSettings
    from lakehouse_assets.ingest.kafka_client import KafkaSourceError, client_config

    monkeypatch.delenv("KAFKA_NOT_SET", raising=False)
    settings = KafkaSettings(
        topic="t",
        bootstrap_servers="b:9092",
        sasl_username="u",
        sasl_password="{env:KAFKA_NOT_SET}",
    )
    with pytest.raises(
        KafkaSourceError, match=r"source\.kafka\.sasl_password: environment variable"
    ):
        client_config(settings, "ingestion/clicks.json")
    monkeypatch.setenv("KAFKA_NOT_SET", "pw")
    config = client_config(settings, "x")
    assert (config["security.protocol"], config["sasl.mechanism"]) == ("SASL_SSL", "PLAIN")
    assert config["sasl.password"] == "pw"


def test_reads_end_at_the_range_even_past_a_transaction_marker(kafka_bootstrap):
    """A committed transaction leaves a control marker at the partition's last offset: the
    high watermark counts it, no consumer receives it. A range up to that watermark ends at
    the partition's end instead of waiting for the marker; a range ending earlier stops at its
    own last offset."""
    from confluent_kafka import Producer

    from lakehouse_assets.contracts.kafka_source import KafkaSettings
    from lakehouse_assets.ingest.kafka_client import read_ranges, watermarks
    from lakehouse_assets.ingest.kafka_ranges import OffsetRange

    topic = create_topic(kafka_bootstrap, 1)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "transactional.id": topic})
    producer.init_transactions(60)
    producer.begin_transaction()
    for i in range(3):
        producer.produce(topic, click(i), partition=0)
    producer.commit_transaction(60)
    settings = KafkaSettings(topic=topic, bootstrap_servers=kafka_bootstrap)
    where = "ingestion/clicks.json"
    assert watermarks(settings, where) == {(topic, 0): (0, 4)}  # 3 messages + the marker

    def offsets(start: int, end: int) -> list[int]:
        return [r.offset for r in read_ranges(settings, where, [OffsetRange(topic, 0, start, end)])]

    assert offsets(0, 4) == [0, 1, 2]
    assert offsets(0, 2) == [0, 1]
    assert offsets(1, 4) == [1, 2]
    assert offsets(3, 4) == []  # only the marker: nothing to wait for


@pytest.mark.slow
def test_sensor_runs_append_only_the_new_ranges(
    kafka_bootstrap, tmp_path, data_root, spark_resource
):
    """A streaming Kafka contract: the run a tick requests (with its tags) reads only the ranges
    its ingest log has not marked done and appends them; a hand run of the day re-reads all."""
    topic = create_topic(kafka_bootstrap, 2)
    project = make_project(tmp_path / "contracts", topic, kafka_bootstrap)
    produce(kafka_bootstrap, topic, [(i % 2, click(i)) for i in range(4)])
    day = today()

    def facts(result) -> dict:
        (event,) = result.get_asset_materialization_events()
        return {k: v.value for k, v in event.materialization.metadata.items()}

    with DagsterInstance.ephemeral() as instance:
        first = tick(project, instance, None)
        (request,) = first.run_requests
        run = run_assets(project, spark_resource, [KEY], day, instance, tags=dict(request.tags))
        assert (facts(run)["ingest_mode"], facts(run)["files_read"]) == ("append", 2)
        produce(kafka_bootstrap, topic, [(0, click(4)), (0, click(5))])
        (request,) = tick(project, instance, first.cursor).run_requests
        run = run_assets(project, spark_resource, [KEY], day, instance, tags=dict(request.tags))
        assert (facts(run)["ingest_mode"], facts(run)["files_read"]) == ("append", 1)
        assert facts(run)["kafka_ranges"] == f"kafka://{topic}/0/2-4"
        assert checks(run)["row_accounting"][0] is True
        offsets = [(r["_kafka_partition"], r["_kafka_offset"]) for r in bronze(project)]
        assert offsets == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1)]
        by_hand = run_assets(project, spark_resource, [KEY], day, instance)
        assert (facts(by_hand)["ingest_mode"], facts(by_hand)["files_read"]) == ("replace", 3)
    assert sorted(r["click_id"] for r in bronze(project)) == list(range(6))
