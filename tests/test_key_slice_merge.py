"""The key-slice merge (io/key_slice_merge.py): on Sail, a merge runs the strategy's SQL on the
batch's key slice and writes the difference back with delta-rs. It must give the same table as
the engine's own MERGE, rewrite only files holding the batch's keys, and commit nothing on a
re-run. Real engine, real Delta."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from deltalake import DeltaTable

from lakehouse_assets.governance import TableWriter
from lakehouse_assets.governance.handle import GovernedTable
from lakehouse_assets.io import key_slice_merge
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.tables.location import TableLocation
from tests.conftest import write_contract_folder
from tests.helpers import delta_rows, table_path
from tests.strategy_lab import DATA, Event, load_partition, make_project, oracle, silver_rows


def _files_by_min_key(path: str) -> dict[int, str]:
    import pyarrow as pa

    actions = pa.table(DeltaTable(path).get_add_actions(flatten=True)).to_pylist()
    return {a["min.k"]: a["path"] for a in actions}


def test_merge_rewrites_only_files_with_batch_keys_and_rerun_commits_nothing(
    tmp_path, monkeypatch, spark, spark_resource
):
    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(tmp_path / "data"))
    project = make_project(tmp_path / "contracts", "full_merge")
    caps = spark_resource.capabilities
    events = [Event(k, 1, f"a{k}", "I", 0) for k in range(50)]
    events += [Event(k, 1, f"b{k}", "I", 1) for k in range(50, 100)]
    events += [Event(k, 2, f"c{k}", "U", 2) for k in range(60, 65)] + [Event(100, 1, "n", "I", 2)]
    load_partition(spark, caps, project, events, 0)
    load_partition(spark, caps, project, events, 1)
    path = table_path(project, "silver/lab/ev")
    files = _files_by_min_key(path)
    assert set(files) == {0, 50}  # one file per day: inserts never join a rewritten file

    facts = load_partition(spark, caps, project, events, 2)
    assert (facts["merge_rows_updated"], facts["merge_rows_inserted"]) == (5, 1)
    assert facts["merge_files_rewritten"] == 1
    after = _files_by_min_key(path)
    assert after[0] == files[0]  # the file of keys 0..49 was not rewritten
    assert after[50] != files[50]
    rows = {r["k"]: r["v"] for r in delta_rows(path, ["k", "v"])}
    assert len(rows) == 101 and rows[60] == "c60" and rows[59] == "b59" and rows[100] == "n"

    version = DeltaTable(path).version()
    again = load_partition(spark, caps, project, events, 2)
    assert DeltaTable(path).version() == version, "a re-run must not commit"
    assert again["merge_rows_updated"] == again["merge_rows_inserted"] == 0
    assert not (tmp_path / "data" / "silver" / "lab" / ".merge_scratch").exists()


WIDE = {
    "schema": "lab",
    "name": "wide",
    "columns": [
        {"name": "region", "type": "STRING", "nullable": False},
        {"name": "id", "type": "INT", "nullable": False},
        {"name": "seq", "type": "BIGINT"},
        {"name": "amount", "type": "DECIMAL(10,2)"},
        {"name": "day", "type": "DATE"},
        {"name": "ts", "type": "TIMESTAMP"},
        {"name": "ntz", "type": "TIMESTAMP_NTZ"},
        {"name": "ok", "type": "BOOLEAN"},
        {"name": "raw", "type": "BINARY"},
        {"name": "f", "type": "FLOAT"},
        {"name": "note", "type": "STRING"},
    ],
}
CONFIG = {
    "EXECUTION_ENVIRONMENT": "local",
    "environments": {
        "local": {
            "env": "local",
            "paths": {"landing": "landing", "bronze": "bronze", "silver": "silver"},
        }
    },
}
WIDE_SCHEMA = (
    "region STRING, id INT, seq BIGINT, amount DECIMAL(10,2), day DATE, "
    "ts TIMESTAMP, ntz TIMESTAMP_NTZ, ok BOOLEAN, raw BINARY, f FLOAT, note STRING"
)


def _row(region, id_, seq, amount, note):
    return (
        region,
        id_,
        seq,
        Decimal(amount),
        date(2024, 1, id_ or 1),
        datetime(2024, 1, 1, 12, seq or 0),
        datetime(2024, 1, 2, seq or 0),
        seq % 2 == 0,
        note.encode(),
        1.5 * (id_ or 0),
        note,
    )


def test_key_slice_equals_engine_merge_with_composite_keys_and_every_type(
    tmp_path, monkeypatch, spark, spark_resource
):
    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(tmp_path / "data"))
    folder = write_contract_folder(
        tmp_path / "contracts",
        {"config.json": json.dumps(CONFIG), "tables/wide.json": json.dumps(WIDE)},
    )
    project = load_project_or_raise(folder)
    caps = spark_resource.capabilities
    assert not caps.merge_prunes_files
    contract = project.tables[0].contract
    writers = {}
    for name, engine_caps in (("slice", caps), ("engine", replace(caps, merge_prunes_files=True))):
        location = TableLocation(f"silver.lab.{name}", str(tmp_path / name), None, True)
        writers[name] = TableWriter(GovernedTable(contract, location, spark, engine_caps))
    batches = [
        [_row(r, i, 1, "1.10", f"{r}{i}") for r in ("eu", "us") for i in (1, 2, 3)],
        [
            _row("eu", 1, 2, "2.20", "newer"),  # newer: replaces
            _row("eu", 2, 0, "9.99", "older"),  # older than silver: ignored
            _row("us", 3, 1, "3.30", "tie"),  # same order value: the greater hash wins
            _row("us", 1, 1, "1.10", "us1"),  # identical re-send: no change
            _row("ap", 1, 1, "4.40", "new"),  # new key
            _row(None, 7, 1, "0.00", "null key"),
        ],  # never merged
    ]
    facts = {}
    for batch in batches:
        for name, writer in writers.items():
            df = spark.createDataFrame(batch, WIDE_SCHEMA)
            facts[name] = writer.upsert(df, keys=["region", "id"], order_by="seq")
    assert facts["slice"]["merge_rows_updated"] >= 1 and facts["slice"]["merge_rows_inserted"] == 1
    assert facts["slice"]["null_keys_skipped"] == facts["engine"]["null_keys_skipped"] == 1

    columns = [c["name"] for c in WIDE["columns"]]

    def rows(name: str) -> list[dict]:
        return sorted(
            delta_rows(str(tmp_path / name), columns), key=lambda r: (r["region"], r["id"])
        )

    assert rows("slice") == rows("engine")
    got = {(r["region"], r["id"]): r for r in rows("slice")}
    assert len(got) == 7
    assert got[("eu", 1)]["note"] == "newer" and got[("eu", 2)]["note"] == "eu2"
    assert got[("ap", 1)]["amount"] == Decimal("4.40")


def test_read_slice_handles_files_written_with_string_view(tmp_path):
    """Files another tool wrote with string_view defeat statistics pushdown; the slice is then
    filtered after reading instead of failing."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from lakehouse_assets.io.key_slice import read_slice

    path = str(tmp_path / "t")
    write_deltalake(
        path, pa.table({"k": pa.array(["a", "b", "c"], pa.string_view()), "v": [1, 2, 3]})
    )
    rows = read_slice(DeltaTable(path), ["k"], pa.table({"k": ["b", "c", "z"]}))
    assert sorted(rows.column("k").cast(pa.string()).to_pylist()) == ["b", "c"]


def test_write_back_checkpoints_every_ten_commits(tmp_path, monkeypatch, spark, spark_resource):
    """delta-rs alone would checkpoint every 100 commits; Spark and Sail every 10. Without
    checkpoints every read of silver replays a log that grows by two commits a day."""
    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(tmp_path / "data"))
    project = make_project(tmp_path / "contracts", "full_merge")
    caps = spark_resource.capabilities
    # each day: 3 new keys and an update of one of the day before: two commits from day 1
    events = [Event(10 * p + i, p, f"d{p}-{i}", "I", p) for p in range(7) for i in range(3)]
    events += [Event(10 * (p - 1), p, f"u{p}", "U", p) for p in range(1, 7)]
    path = table_path(project, "silver/lab/ev")
    for p in range(7):
        load_partition(spark, caps, project, events, p)
    log = tmp_path / "data" / "silver" / "lab" / "ev" / "_delta_log"
    version = DeltaTable(path).version()
    assert version >= 12
    last = json.loads((log / "_last_checkpoint").read_text())["version"]
    assert last in (10, 11), last  # at the end of the run whose commits crossed version 10
    assert (log / f"{last:020d}.checkpoint.parquet").exists()
    rows = {r["k"]: r["v"] for r in delta_rows(path, ["k", "v"])}
    assert len(rows) == 21 and rows[0] == "u1" and rows[50] == "u6" and rows[62] == "d6-2"


@pytest.mark.parametrize("strategy", ["full_merge", "scd2"])
def test_a_merge_that_loses_a_commit_race_runs_again(
    strategy, tmp_path, monkeypatch, spark, spark_resource
):
    """Another run commits to silver between this run's slice read and its write-back: delta-rs
    refuses the stale commit, the merge runs again on fresh slices, and silver holds both runs'
    events exactly (the oracle of all of them)."""
    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(tmp_path / "data"))
    project = make_project(tmp_path / "contracts", strategy)
    caps = spark_resource.capabilities
    events = [Event(k, 1, f"a{k}", "I", 0) for k in range(40)]
    # days 1 and 2 update the same keys (day 2 newer) and each inserts keys of its own
    events += [Event(k, 1 + p, f"p{p}-{k}", "U", p) for p in (1, 2) for k in range(10, 30)]
    events += [Event(100 * p + i, 1, f"n{p}", "I", p) for p in (1, 2) for i in range(5)]
    load_partition(spark, caps, project, events, 0)
    plan_runs = []
    real_run_plan = key_slice_merge.run_plan

    def racing_run_plan(session, plan, scratch=None):
        real_run_plan(session, plan, scratch=scratch)
        plan_runs.append(scratch)
        if len(plan_runs) == 1:  # the concurrent run of day 2 commits first
            assert load_partition(spark, caps, project, events, 2)["merge_attempts"] == 1

    monkeypatch.setattr(key_slice_merge, "run_plan", racing_run_plan)
    facts = load_partition(spark, caps, project, events, 1)
    assert facts["merge_attempts"] == 2 and len(plan_runs) == 3
    columns = DATA + (["valid_from", "valid_to", "is_current"] if strategy == "scd2" else [])
    assert silver_rows(project, columns) == oracle(strategy, events)
