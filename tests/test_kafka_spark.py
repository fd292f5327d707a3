"""Spark's Kafka source (spark-sql-kafka-0-10, classic Spark) reads a bronze day's recorded offset
ranges and writes the same bronze and quarantine rows as the confluent-kafka read on the
embedded engine: good JSON, a malformed value, a value of the wrong type, a value that is not
UTF-8 and a NULL (tombstone) value, in two partitions. Needs Java, the jars of .ci/fetch_jars.sh
and a broker (.ci/kafka.sh); without them it skips, naming the command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.contracts.framework_columns import QUARANTINED_AT, RUN_ID
from lakehouse_assets.engine.spark_jars import FETCH_COMMAND
from lakehouse_assets.ingest.kafka_ranges import today
from tests.helpers import run_assets, run_command, table_path
from tests.jvm_spark import jvm_env, require_delta_jars
from tests.kafka_project import KEY, bronze, click, create_topic, make_project, produce, quarantine

pytestmark = pytest.mark.slow


def comparable(rows: list[dict[str, Any]]) -> list[tuple]:
    """Rows without the facts of the run that wrote them, in a stable order."""
    kept = [
        tuple(sorted((k, v) for k, v in r.items() if k not in (RUN_ID, QUARANTINED_AT)))
        for r in rows
    ]
    return sorted(kept, key=repr)


def engines_of(project) -> list[str]:
    from deltalake import DeltaTable

    return [h.get("engineInfo", "") for h in DeltaTable(str(table_path(project, KEY))).history()]


def test_spark_kafka_source_writes_the_rows_the_local_read_writes(
    kafka_bootstrap, tmp_path, data_root, spark_resource
):
    jars = require_delta_jars()
    if not any("spark-sql-kafka" in Path(j).name for j in jars):
        pytest.skip(f"no spark-sql-kafka jar in .cache/jars: run {FETCH_COMMAND} (Maven)")
    topic = create_topic(kafka_bootstrap, 2)
    contracts = tmp_path / "contracts"
    project = make_project(contracts, topic, kafka_bootstrap)
    produce(
        kafka_bootstrap,
        topic,
        [
            *[(i % 2, click(i)) for i in range(6)],
            (0, b"{not json"),
            (1, click(7, amount="lots")),
            (0, b'{"click_id": 8, "page": "\xff\xfe"}'),
        ],
    )
    day = today()
    # The embedded engine reads on the Dagster host and records the day's ranges.
    run_assets(project, spark_resource, [KEY], day)
    local_rows, local_bad = comparable(bronze(project)), comparable(quarantine(project))
    assert len(local_rows) == 6 and len(local_bad) == 3
    reasons = sorted(dict(r)["_quarantine_reason"] for r in local_bad)
    assert any(r.endswith("malformed JSON record") for r in reasons)
    assert any(r.endswith("value is not UTF-8 text") for r in reasons)
    # Classic Spark re-runs the day: the same recorded ranges, read by Spark's Kafka source.
    env = {**jvm_env(), "LAKEHOUSE_DATA_ROOT": os.environ["LAKEHOUSE_DATA_ROOT"]}
    command = [sys.executable, "-m", "tests.kafka_spark_run", str(contracts), day]
    done = run_command([*command, f"spark_jars={','.join(jars)}"], timeout_s=900, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["kafka_reader"] == "spark"
    assert facts["checks"]["row_accounting"] is True
    assert "Apache-Spark" in engines_of(project)[0]  # the newest commit is Spark's
    assert comparable(bronze(project)) == local_rows
    assert comparable(quarantine(project)) == local_bad
