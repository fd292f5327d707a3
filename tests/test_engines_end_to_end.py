"""The demo lakehouse end to end (landing -> bronze -> silver: cdc_merge, full_merge, scd2,
append_dedup -> gold, with its asset checks) on Apache Spark + Delta, compared row for row
with the same run on the embedded Sail engine; tables are read back with delta-rs.

- classic PySpark + delta-spark (mode=spark), in a process of its own: a classic session
  cannot share a process with Spark Connect sessions;
- a JVM Spark Connect server with Delta started here (mode=connect, connect_profile=spark);
- a standalone Spark cluster (master + worker processes), bronze -> silver of the full_merge.
They need Java and the Delta jars of .ci/fetch_jars.sh; without them they skip, naming it."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.contracts.framework_columns import (
    INGESTED_AT,
    QUARANTINED_AT,
    RUN_ID,
    SILVER_CREATED,
    SILVER_MODIFIED,
    SOURCE_FILE,
)
from lakehouse_assets.demo.run import DemoSummary, run_demo
from lakehouse_assets.engine.resource import SparkResource
from tests.helpers import delta_rows, run_command
from tests.jvm_spark import jvm_env, require_delta_jars, spark_connect_server, standalone_cluster

pytestmark = pytest.mark.slow
DAYS = 2
# When a run wrote a row, and which run: facts of the run, not of the data.
RUN_COLUMNS = {INGESTED_AT, SILVER_CREATED, SILVER_MODIFIED, RUN_ID, QUARANTINED_AT}
MERGED = ["customers", "customers_history", "events", "orders", "products"]  # every strategy


def lakehouse_tables(data_dir: Path) -> dict[str, list[tuple]]:
    """Every Delta table of the run, its rows sorted, without the run's own columns and with
    source files relative to data_dir (Spark names them file:/..., Sail by path)."""
    tables = {}
    for log in sorted(data_dir.glob("*/*/*/_delta_log")):
        rows = [_comparable(row, data_dir) for row in delta_rows(log.parent)]
        tables[str(log.parent.relative_to(data_dir))] = sorted(rows, key=repr)
    return tables


def _comparable(row: dict[str, Any], data_dir: Path) -> tuple:
    out = []
    for name in sorted(row):
        value = row[name]
        if name in RUN_COLUMNS:
            continue
        if name == SOURCE_FILE and value:
            path = value.removeprefix("file://").removeprefix("file:")
            value = str(Path(path).resolve().relative_to(data_dir.resolve()))
        out.append((name, value))
    return tuple(out)


def assert_same_tables(got: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    assert sorted(got) == sorted(expected)
    for name, rows in expected.items():
        assert len(got[name]) == len(rows), name
        for mine, theirs in zip(got[name], rows, strict=True):
            assert mine == theirs, name
    silver = [f"silver/shop/{t}" for t in MERGED]
    assert all(expected[t] for t in silver), "every silver table holds rows"


def spark_history(data_dir: Path, table: str) -> list[tuple[str, str]]:
    """(operation, engine) of each commit, newest first, from the Delta log via delta-rs."""
    from deltalake import DeltaTable

    history = DeltaTable(str(data_dir / table)).history()
    return [(h["operation"], h.get("engineInfo", "")) for h in history]


@pytest.fixture(scope="module")
def delta_jars() -> list[str]:
    return require_delta_jars()


@pytest.fixture(scope="module")
def on_sail(tmp_path_factory, delta_jars) -> tuple[dict[str, list[tuple]], DemoSummary]:
    """The reference: the same demo days on the embedded engine (the default mode)."""
    data = tmp_path_factory.mktemp("sail")
    summary = run_demo(data, days=DAYS, start=date(2024, 1, 1))
    return lakehouse_tables(data), summary


def assert_spark_did_the_work(data: Path) -> None:
    """Spark's own MERGE wrote silver (merge_prunes_files: no key-slice merge with delta-rs),
    and the customers table has the Change Data Feed its contract asks for."""
    from deltalake import DeltaTable

    for table in MERGED:
        history = spark_history(data, f"silver/shop/{table}")
        merges = [engine for op, engine in history if op == "MERGE"]
        assert len(merges) == DAYS, (table, history)
        assert all(engine.startswith("Apache-Spark/4.2") for engine in merges), history
    config = DeltaTable(str(data / "silver/shop/customers")).metadata().configuration
    assert config.get("delta.enableChangeDataFeed") == "true"


def assert_same_checks(checks: dict[str, list[int]], summary: DemoSummary) -> None:
    """Every asset check passed (or failed: the demo's landing has bad rows on purpose) in as
    many runs as on Sail."""
    assert checks == summary.checks
    assert len(checks) > 20 and sum(passed for passed, _ in checks.values()) > 40


def test_classic_spark_runs_the_demo_like_sail(tmp_path: Path, delta_jars, on_sail):
    data = tmp_path / "spark"
    command = [sys.executable, "-m", "tests.engine_pipeline", str(data), str(DAYS), "spark"]
    done = run_command(
        [*command, f"spark_jars={','.join(delta_jars)}"], timeout_s=1200, env=jvm_env()
    )
    assert done.returncode == 0, done.stderr[-4000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    expected, summary = on_sail
    assert facts["runs"] == DAYS + 1
    assert_same_checks(facts["checks"], summary)
    assert_same_tables(lakehouse_tables(data), expected)
    assert_spark_did_the_work(data)


def test_spark_connect_server_runs_the_demo_like_sail(tmp_path: Path, delta_jars, on_sail):
    data = tmp_path / "connect"
    with spark_connect_server(delta_jars, tmp_path / "connect-server.log") as url:
        spark = SparkResource(mode="connect", connect_url=url, connect_profile="spark")
        try:
            summary = run_demo(data, days=DAYS, spark=spark)
        finally:
            spark.stop()  # before the server goes
    expected, on_sail_summary = on_sail
    assert_same_checks(summary.checks, on_sail_summary)
    assert_same_tables(lakehouse_tables(data), expected)
    assert_spark_did_the_work(data)


def test_standalone_cluster_merges_like_sail(tmp_path: Path, delta_jars, on_sail):
    """Distributed: a standalone master and two worker processes (executors in JVMs of their
    own), the driver in a classic Spark process; bronze -> silver full_merge of products."""
    data = tmp_path / "cluster"
    keys = ["bronze/shop/products_raw", "silver/shop/products"]
    with standalone_cluster(tmp_path / "cluster-logs", workers=2) as master:
        command = [sys.executable, "-m", "tests.engine_pipeline", str(data), str(DAYS), "spark"]
        settings = [
            f"master={master}",
            f"spark_jars={','.join(delta_jars)}",
            f"only={','.join(keys)}",
            "conf.spark.executor.memory=512m",
            "conf.spark.sql.shuffle.partitions=4",
            "conf.spark.databricks.delta.snapshotPartitions=2",
        ]
        done = run_command([*command, *settings], timeout_s=1200, env=jvm_env())
        assert done.returncode == 0, done.stderr[-4000:]
        executors = list((tmp_path / "cluster-logs").glob("worker*/app-*/*/stderr"))
    assert len(executors) >= 2, "executors ran in the workers' JVMs"
    expected, _ = on_sail
    got = lakehouse_tables(data)
    for key in ("bronze/shop/products_raw", "silver/shop/products"):
        assert got[key] == expected[key], key
    assert [op for op, _ in spark_history(data, "silver/shop/products")][:DAYS] == ["MERGE"] * DAYS
