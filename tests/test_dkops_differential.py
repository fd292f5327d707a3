"""Differential test against DKOps itself (dkops==0.3.6, classic Spark + Delta, its own venv):
the same contract folder (tests/dkops_diff/contracts, written as DKOps users write theirs) and
the same three days of landing files go through DKOps' IngestionEngine and through our Dagster
assets; both tools' bronze and silver tables are read back with delta-rs and compared row for
row. Every difference is listed below (EXPECTED_*) and explained in the README's "Coming from
DKOps" section, so the test fails when either tool changes behaviour.

Run-dependent columns are compared by presence and type only: `_ingested_at`,
`_silver_created_at`, `_silver_modified_at` (both tools stamp the time they ran), and DKOps'
`_ingested_date` (the day DKOps ran: it partitions by run date, we by the file's date).

Set-up (once; CI runs it): `.ci/dkops_env.sh`."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.project_loader import load_project
from tests.dkops_diff.landing_data import DAYS, write_day
from tests.helpers import run_assets, stop_process, without_connect_client

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "dkops_diff"
CONTRACTS = HERE / "contracts"
DKOPS_PY = REPO / ".cache" / "dkops-venv" / "bin" / "python"
JARS = REPO / ".cache" / "dkops-jars"
SETUP = ".ci/dkops_env.sh"
SOURCES = ("orders", "products", "customers", "events")
BRONZE = [f"{s}_raw" for s in SOURCES]
SILVER = [f"{s}_current" for s in SOURCES]
BRONZE_ROWS = {"orders_raw": 12, "products_raw": 9, "customers_raw": 7, "events_raw": 7}
RUN_STAMPS = {"_ingested_at", "_silver_created_at", "_silver_modified_at"}
TIMESTAMP = "timestamp[us, tz=UTC]"

# Physical types that differ (table -> column -> (ours, DKOps')). The contract says INTEGER:
# we write int32; DKOps creates the table from the DataFrame JSON inference made (int64).
EXPECTED_TYPES = {
    "orders_raw": {"quantity": ("int32", "int64")},
    "orders_current": {"quantity": ("int32", "int64")},
}
# Rows only one tool has, per silver table (after dropping the run stamps).
_O6 = {
    "order_id": "o6",
    "customer_id": "c1",
    "amount": 60.0,
    "quantity": 6,
    "status": "NEW",
    "updated_at": "2024-03-03T09:00:00",
    "is_deleted": False,
}


def _event(eid: str, cust: str, kind: str, ts: str) -> dict[str, Any]:
    from datetime import datetime, timezone

    at = datetime.fromisoformat(ts).replace(tzinfo=timezone.utc)
    return {"event_id": eid, "customer_id": cust, "kind": kind, "event_ts": at}


EXPECTED_ONLY = {
    # op "i": we compare ops upper-cased and insert it; DKOps keeps only exact "I"/"U"/"D"
    # and drops it without a word. (op "X" is in neither: DKOps drops it, we quarantine it.)
    "orders_current": ([_O6], []),
    "products_current": ([], []),
    "customers_current": ([], []),
    # append_dedup: e4 twice in one file: DKOps appends both (its anti-join only looks at
    # silver, not within the batch); we keep one. e3 re-sent on day 3 with a new payload: both
    # keep the first version.
    "events_current": ([], [_event("e4", "c3", "view", "2024-03-03T09:00:00")]),
}


def _needs_dkops() -> None:
    if not DKOPS_PY.exists() or not list(JARS.glob("delta-spark_*.jar")):
        pytest.skip(f"DKOps venv or its Delta jars absent: run `{SETUP}` from the repo root")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, spark_resource) -> dict[str, Any]:
    """DKOps runs in its own folder (cwd; config.json's paths are relative), where its runner
    drops each day's landing files before that day's run and its tables go to
    dkops_warehouse/. Meanwhile (two processes: the test's time is DKOps' JVM) our assets run
    the same days over the same files, written up front, in ours/."""
    _needs_dkops()
    root = tmp_path_factory.mktemp("dkops_diff")
    dkops, ours = root / "dkops", root / "ours"
    dkops.mkdir()
    ours.mkdir()
    for day in DAYS:
        write_day(ours / "landing", day)
    command = [str(DKOPS_PY), str(HERE / "run_dkops.py"), str(CONTRACTS), str(JARS), *DAYS]
    # Classic Spark 3.5: not a Connect client, whatever earlier tests in this process started.
    env = {**without_connect_client(), "TZ": "UTC", "PYTHONPATH": ""}
    with open(root / "dkops.out", "w") as out, open(root / "dkops.err", "w") as err:
        proc = subprocess.Popen(
            command, cwd=dkops, env=env, stdout=out, stderr=err, start_new_session=True
        )
        try:
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("LAKEHOUSE_DATA_ROOT", str(ours))
                project = load_project(CONTRACTS)
                keys = [f"bronze/shop/{t}" for t in BRONZE] + [f"silver/shop/{t}" for t in SILVER]
                for day in DAYS:
                    assert run_assets(project, spark_resource, keys, day).success
            returncode = proc.wait(timeout=900)
        finally:
            stop_process(proc)
    stdout, stderr = (root / "dkops.out").read_text(), (root / "dkops.err").read_text()
    assert returncode == 0, stdout[-3000:] + stderr[-3000:]
    days = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert [d["day"] for d in days] == DAYS
    assert all(not d["failed_bronze"] and not d["failed_silver"] for d in days), days
    return {"dkops": dkops, "ours": ours, "project": project}


def _table(both: dict[str, Any], tool: str, name: str) -> Any:
    from deltalake import DeltaTable

    if tool == "dkops":  # DKOps local: SPARK_WAREHOUSE_DIR/<schema>/<name>
        return DeltaTable(str(both["dkops"] / "dkops_warehouse" / "shop" / name))
    layer = "bronze" if name.endswith("_raw") else "silver"
    return DeltaTable(str(both["ours"] / layer / "shop" / name))


def _types(table: Any) -> dict[str, str]:
    schema = table.to_pyarrow_table().schema
    return {f.name: str(f.type) for f in schema}


def _rows(table: Any, drop: set[str]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in r.items() if k not in drop} for r in table.to_pyarrow_table().to_pylist()
    ]


def _only(a: list[dict], b: list[dict]) -> tuple[list[dict], list[dict]]:
    """Rows (as multisets) only in a, only in b."""
    key = lambda r: json.dumps(r, sort_keys=True, default=str)  # noqa: E731
    ca, cb = Counter(map(key, a)), Counter(map(key, b))
    only_a = sorted((ca - cb).elements())
    only_b = sorted((cb - ca).elements())
    by = {key(r): r for r in a + b}
    return [by[k] for k in only_a], [by[k] for k in only_b]


def _compare_types(name: str, ours: dict[str, str], theirs: dict[str, str]) -> None:
    """Same columns (ours adds `_rescued_data` to bronze), same types but the listed ones; the
    run stamps are timestamps on both sides."""
    extra = {"_rescued_data"} if name.endswith("_raw") else set()
    assert set(ours) - set(theirs) == extra
    assert set(theirs) <= set(ours)
    differ = {c: (ours[c], theirs[c]) for c in theirs if ours[c] != theirs[c]}
    assert differ == EXPECTED_TYPES.get(name, {})
    for column in RUN_STAMPS & set(theirs):
        assert ours[column] == theirs[column] == TIMESTAMP


@pytest.mark.parametrize("name", BRONZE)
def test_bronze_rows_match_but_for_the_partition_date_and_file_uri(both, name):
    ours, theirs = _table(both, "ours", name), _table(both, "dkops", name)
    _compare_types(name, _types(ours), _types(theirs))
    assert ours.metadata().partition_columns == theirs.metadata().partition_columns
    assert ours.metadata().partition_columns == ["_ingested_date"]
    ours_rows = _rows(ours, set())
    theirs_rows = _rows(theirs, set())
    for row in ours_rows + theirs_rows:  # run stamps: present, never null
        assert row["_ingested_at"] is not None
    # Ours: the day in the file's name is the day it landed (its modification date).
    for row in ours_rows:
        stamp = Path(row["_source_file"]).stem.rsplit("_", 1)[1]
        assert row["_ingested_date"] == date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:]))
        assert row.pop("_rescued_data") is None
    # DKOps: every row in one partition, the day it ran; its _source_file is a file:// URI.
    (ran,) = {r["_ingested_date"] for r in theirs_rows}
    assert ran.isoformat() not in DAYS
    for row in theirs_rows:
        assert row["_source_file"].startswith(f"file://{both['dkops']}/landing/")
        row["_source_file"] = row["_source_file"].removeprefix(f"file://{both['dkops']}/")
    for row in ours_rows:
        assert row["_source_file"].startswith(f"{both['ours']}/landing/")
        row["_source_file"] = row["_source_file"].removeprefix(f"{both['ours']}/")
    drop = {"_ingested_at", "_ingested_date"}
    ours_rows = [{k: v for k, v in r.items() if k not in drop} for r in ours_rows]
    theirs_rows = [{k: v for k, v in r.items() if k not in drop} for r in theirs_rows]
    assert _only(ours_rows, theirs_rows) == ([], [])
    assert len(ours_rows) == BRONZE_ROWS[name]


@pytest.mark.parametrize("name", SILVER)
def test_silver_rows_match_but_for_the_listed_differences(both, name):
    ours, theirs = _table(both, "ours", name), _table(both, "dkops", name)
    _compare_types(name, _types(ours), _types(theirs))
    ours_rows, theirs_rows = _rows(ours, RUN_STAMPS), _rows(theirs, RUN_STAMPS)
    assert ours_rows and theirs_rows
    for table in (ours, theirs):  # run stamps: present and filled on every row, or absent
        for row in table.to_pyarrow_table().to_pylist():
            assert all(row[c] is not None for c in RUN_STAMPS if c in row)
    assert _only(ours_rows, theirs_rows) == EXPECTED_ONLY[name]


def test_what_both_agree_on(both):
    """The documented semantics both tools implement, asserted on our rows: latest event per
    key by watermark (a late, older event loses), soft deletes, snapshots upsert without
    deleting what a later snapshot lacks, append_dedup keeping an event's first version."""
    rows = {
        name: {next(iter(r.values())): r for r in _rows(_table(both, "ours", name), RUN_STAMPS)}
        for name in SILVER
    }
    orders = rows["orders_current"]
    assert orders["o2"]["status"] == "PAID"  # day 3's older "LATE" update lost
    assert orders["o3"]["is_deleted"] and orders["o5"]["is_deleted"]  # o5: only a delete
    assert "o7" not in orders  # op "X": DKOps drops it, we set it aside with the reason
    (held,) = _rows(_table(both, "ours", "orders_current_quarantine"), set())
    assert (held["order_id"], held["op_type"]) == ("o7", "X")
    assert "'X' is not an insert, update or delete" in held["_quarantine_reason"]
    assert set(rows["products_current"]) == {"p1", "p2", "p3", "p4"}  # p3 left the snapshot
    assert rows["customers_current"]["c2"]["country"] == "BE"  # "NL" came late and older
    assert rows["customers_current"]["c1"]["country"] == "PT"
    assert len(rows["events_current"]) == 4
    assert rows["events_current"]["e3"]["kind"] == "buy"  # not day 3's re-sent "refund"


@pytest.mark.parametrize("tool", ["ours", "dkops"])
def test_silver_created_at_survives_updates(both, tool):
    """o2 and c2 were inserted on day 1 and updated on day 2: both tools keep the first
    _silver_created_at and move _silver_modified_at."""
    for name, key, value in (
        ("orders_current", "order_id", "o2"),
        ("customers_current", "customer_id", "c2"),
    ):
        (row,) = [r for r in _rows(_table(both, tool, name), set()) if r[key] == value]
        assert row["_silver_created_at"] < row["_silver_modified_at"]
