"""Property tests of CDC from snapshots: random days of full snapshots (duplicate keys in a
day, null keys, empty days), processed in random order, a backfill of two days in one run and
a re-run, on the real engine and real Delta. After every run silver must equal the oracle of
tests/oracle_snapshots.py over the days processed so far (SCD1: the newest snapshot)."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.oracle_snapshots import scd1, scd2
from tests.strategy_lab import DATA, Event, load_partition, make_project, silver_rows
from tests.test_strategies_properties import PARTS, order_st

snapshots_st = st.lists(
    st.builds(
        Event,
        k=st.one_of(st.none(), st.integers(0, 3)) | st.integers(0, 3),
        seq=st.one_of(st.none(), st.integers(0, 2)),
        v=st.sampled_from([None, "a", "b"]),
        op=st.just("I"),
        part=st.integers(0, PARTS - 1),
    ),
    max_size=12,
)


SETTINGS = settings(
    max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
_counter = itertools.count()


def check_snapshots(spark, caps, monkeypatch, strategy, promotion, columns, oracle) -> None:
    history = {"history_type": "DATE"} if strategy == "scd2" else {}
    base = Path(tempfile.mkdtemp(prefix=f"snap_{strategy}_"))

    @SETTINGS
    @given(events=snapshots_st, order=order_st)
    def check(events: list[Event], order: list[tuple[int, ...]]) -> None:
        root = base / f"case{next(_counter)}"
        monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(root / "data"))
        project = make_project(
            root / "contracts", strategy, load_type="full", promotion=promotion, **history
        )
        done: list[int] = []
        for run in order:
            load_partition(spark, caps, project, events, run)
            done += run
            assert silver_rows(project, columns) == oracle(events, done), (order, run, events)

    try:
        check()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])
def test_snapshot_cdc_equals_newest_snapshot_in_any_order(
    merge, spark, spark_resource, monkeypatch
):
    """Both merge paths: Sail's key slice and the engine's own MERGE (Spark, Databricks)."""
    caps = spark_resource.capabilities
    if merge == "engine_merge":
        caps = replace(caps, merge_prunes_files=True)
    check_snapshots(spark, caps, monkeypatch, "snapshot_cdc", None, DATA, scd1)


@pytest.mark.slow
@pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])
def test_scd2_from_snapshot_equals_history_in_version_order(
    merge, spark, spark_resource, monkeypatch
):
    """A late older snapshot splits or closes versions where version order puts it."""
    caps = spark_resource.capabilities
    if merge == "engine_merge":
        caps = replace(caps, merge_prunes_files=True)
    columns = [*DATA, "valid_from", "valid_to", "is_current"]
    promotion = {"from_snapshot": True}
    check_snapshots(spark, caps, monkeypatch, "scd2", promotion, columns, scd2)
