"""Runs of one table at the same time, each a process with its own engine (as Dagster's run
launcher starts them), and a merge killed in the middle: nothing lost, nothing twice, nothing
left behind. Real Dagster runs, real engine, real Delta tables."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.demo.generator import generate
from tests.helpers import delta_rows, descendants, run_assets, stop_process, table_path

REPO = Path(__file__).resolve().parents[1]
ORDERS = "bronze/shop/orders_raw"
SILVER = "silver/shop/orders"
DAYS = [f"2024-01-{d:02d}" for d in range(1, 9)]
BRONZE_COLUMNS = [
    "order_id",
    "customer_id",
    "product_id",
    "quantity",
    "amount",
    "status",
    "op_type",
    "updated_at",
]
RUN_DEADLINE_S = 900  # eight engines on a shared 2-core machine: generous, never hit when healthy


def _start_run(contracts: Path, key: str, partition: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.run_partition", str(contracts), key, partition],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_all_at_once(contracts: Path, key: str, partitions: list[str]) -> list[dict[str, Any]]:
    """One run process per partition, all started together; each run's metadata."""
    procs = [_start_run(contracts, key, p) for p in partitions]
    try:
        deadline = time.monotonic() + RUN_DEADLINE_S
        outputs = [p.communicate(timeout=max(1.0, deadline - time.monotonic())) for p in procs]
    finally:
        for proc in procs:
            stop_process(proc)
    failed = [
        (p, out[1][-3000:])
        for p, proc, out in zip(partitions, procs, outputs, strict=True)
        if proc.returncode != 0
    ]
    assert not failed, failed
    return [json.loads(out[0].strip().splitlines()[-1]) for out in outputs]


def _landing_orders(landing: Path, day: str) -> list[dict[str, Any]]:
    lines = (landing / "orders" / f"dt={day}" / "part-0000.json").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _admitted(record: dict[str, Any]) -> bool:
    """What bronze keeps: an INT quantity (else quarantined) that is positive (drop rule)."""
    quantity = record["quantity"]
    return isinstance(quantity, int) and quantity > 0


def _as_row(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["order_id"],
        record["customer_id"],
        record["product_id"],
        record["quantity"],
        Decimal(record["amount"]),
        record["status"],
        record["op_type"],
        datetime.fromisoformat(record["updated_at"]),
    )


def _bronze_by_day(project: Any) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for row in delta_rows(table_path(project, ORDERS), [*BRONZE_COLUMNS, "_ingested_date"]):
        row["updated_at"] = row["updated_at"].replace(tzinfo=None)
        found.setdefault(str(row["_ingested_date"]), []).append(
            tuple(row[c] for c in BRONZE_COLUMNS)
        )
    return {day: sorted(rows) for day, rows in found.items()}


def _silver_rows(project: Any) -> list[dict[str, Any]]:
    """Silver without the merge's own timestamps, which differ from run to run."""
    rows = delta_rows(table_path(project, SILVER))
    for row in rows:
        del row["_silver_created_at"], row["_silver_modified_at"]
    return sorted(rows, key=lambda r: r["order_id"])


@pytest.fixture
def eight_days(demo_project) -> Path:
    landing = Path(demo_project.environment.paths["landing"])
    generate(landing, date(2024, 1, 1), len(DAYS), scale=1)
    return landing


@pytest.fixture
def oracle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_dir: Path, spark_resource):
    """silver/shop/orders built one partition after another, uninterrupted, from a copy of the
    bronze table the test made: the table every other order of runs must equal."""
    from lakehouse_assets.project_loader import load_project_or_raise

    def build(project: Any, days: list[str]) -> list[dict[str, Any]]:
        root = tmp_path / "oracle_data"
        contracts = tmp_path / "oracle_contracts"
        shutil.copytree(demo_dir, contracts)
        with monkeypatch.context() as env:
            env.setenv("LAKEHOUSE_DATA_ROOT", str(root))
            twin = load_project_or_raise(str(contracts))
            shutil.copytree(table_path(project, ORDERS), table_path(twin, ORDERS))
            for day in days:
                run_assets(twin, spark_resource, [SILVER], day)
            return _silver_rows(twin)

    return build


def test_eight_bronze_partitions_then_four_silver_partitions_at_once(
    demo_project, eight_days, oracle
):
    bronze = _run_all_at_once(demo_project.root, ORDERS, DAYS)
    expected = {
        day: sorted(_as_row(r) for r in _landing_orders(eight_days, day) if _admitted(r))
        for day in DAYS
    }
    assert _bronze_by_day(demo_project) == expected
    quarantined = sorted(
        (str(r["_ingested_date"]), int(r["order_id"]))
        for r in delta_rows(str(table_path(demo_project, ORDERS)) + "_quarantine")
    )
    assert quarantined == sorted(
        (day, r["order_id"])
        for day in DAYS
        for r in _landing_orders(eight_days, day)
        if not _admitted(r)
    )
    assert quarantined  # the demo's bad records: the quarantine writes raced too
    assert [m["rows_written"] for m in bronze] == [len(expected[d]) for d in DAYS]
    assert all(1 <= m["write_attempts"] <= 6 for m in bronze), bronze

    silver = _run_all_at_once(demo_project.root, SILVER, DAYS[:4])
    assert all(m["merge_attempts"] >= 1 for m in silver), silver
    assert _silver_rows(demo_project) == oracle(demo_project, DAYS[:4])
    assert not list((table_path(demo_project, SILVER).parent / ".merge_scratch").glob("*"))


def test_a_merge_killed_midway_is_completed_and_swept_by_the_next_run(
    demo_project, demo_landing, spark_resource, oracle
):
    for day in DAYS[:3]:
        run_assets(demo_project, spark_resource, [ORDERS], day)
    for day in DAYS[:2]:
        run_assets(demo_project, spark_resource, [SILVER], day)
    scratch = table_path(demo_project, SILVER).parent / ".merge_scratch"
    proc = _start_run(demo_project.root, SILVER, DAYS[2])
    try:
        # Killed once it copies the table's slices: the batch is staged, nothing committed yet
        # (or, if the kill lands later, part of the write-back is).
        _wait_for(lambda: any(scratch.glob("*/a1/t0")) or proc.poll() is not None)
        assert proc.poll() is None, f"the run ended before it was killed: {proc.communicate()}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        stop_process(proc)
    left = sorted(p.name for p in scratch.iterdir())
    assert any(name.endswith(".lock") for name in left), left  # the killed run's, unheld

    facts = run_assets(demo_project, spark_resource, [SILVER], DAYS[2])
    metadata = facts.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["merge_scratch_swept"].value == 1
    assert not scratch.exists() or not list(scratch.iterdir())
    assert _silver_rows(demo_project) == oracle(demo_project, DAYS[:3])


def _wait_for(condition: Any, deadline_s: float = RUN_DEADLINE_S) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"nothing happened in {deadline_s} s"
        time.sleep(0.02)


def test_stop_process_escalates_to_sigkill_and_takes_the_group():
    """A server that ignores SIGTERM, with a worker of its own: both end, by the pid's group."""
    code = (
        "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
        "print('up', flush=True); time.sleep(600)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
        worker = [pid for pid, _ in descendants(proc.pid)]
        assert len(worker) == 1
        started = time.monotonic()
        stop_process(proc, grace_s=1.0)
        assert time.monotonic() - started < 30
        assert proc.returncode == -signal.SIGKILL
        assert not any(pid == worker[0] for pid, _ in descendants(os.getpid()))
        assert (
            not Path(f"/proc/{worker[0]}/stat").exists()
            or " Z " in Path(f"/proc/{worker[0]}/stat").read_text()
        )
    finally:
        stop_process(proc, grace_s=1.0)
