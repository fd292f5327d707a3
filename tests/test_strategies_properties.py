"""Property tests: random event streams (duplicates, equal order values, out-of-order events
within and across partitions, deletes and re-inserts, null keys and null order values), split
into bronze partitions processed in random order with one partition re-run, on the real engine
and real Delta; silver must always equal the plain-Python oracle of tests/strategy_lab.py."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategy_lab import DATA, Event, load_partition, make_project, oracle, silver_rows

PARTS = 3
events_st = st.lists(
    st.builds(
        Event,
        k=st.one_of(st.none(), st.integers(0, 3)) | st.integers(0, 3),
        seq=st.one_of(st.none(), st.integers(0, 4)) | st.integers(0, 4),
        v=st.sampled_from([None, "a", "b"]),
        op=st.sampled_from(["I", "U", "D"]),
        part=st.integers(0, PARTS - 1),
    ),
    min_size=1,
    max_size=14,
)


def _runs(order: list[int], replay: int, backfill: bool) -> list[tuple[int, ...]]:
    """Partitions in a random order, optionally the first two as one backfill run, then one
    partition re-materialized."""
    runs = [tuple(order[:2]), *[(p,) for p in order[2:]]] if backfill else [(p,) for p in order]
    return [*runs, (order[replay],)]


order_st = st.builds(
    _runs, st.permutations(list(range(PARTS))), st.integers(0, PARTS - 1), st.booleans()
)
SETTINGS = settings(
    max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
_counter = itertools.count()

CASES = [
    ("full_merge", False),
    ("incremental_replace", False),
    ("append_dedup", False),
    ("cdc_merge", True),
    ("cdc_merge", False),
    ("scd2", False),
]


def _columns(strategy: str, soft: bool) -> list[str]:
    extra = ["is_deleted"] if soft else []
    scd = ["valid_from", "valid_to", "is_current"] if strategy == "scd2" else []
    return DATA + extra + scd


@pytest.mark.slow
@pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])
@pytest.mark.parametrize(("strategy", "soft"), CASES)
def test_silver_equals_oracle_in_any_partition_order(
    strategy, soft, merge, spark, spark_resource, monkeypatch
):
    """Both ways a merge runs: Sail's key slice written back by delta-rs, and the engine's own
    MERGE statement (what Spark and Databricks run), forced here on Sail."""
    base = Path(tempfile.mkdtemp(prefix=f"lab_{strategy}_"))
    caps = spark_resource.capabilities
    if merge == "engine_merge":
        caps = replace(caps, merge_prunes_files=True)

    @SETTINGS
    @given(events=events_st, order=order_st)
    def check(events: list[Event], order: list[tuple[int, ...]]) -> None:
        root = base / f"case{next(_counter)}"
        # each example gets its own tables: relative paths resolve under the data root
        monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(root / "data"))
        project = make_project(root / "contracts", strategy, soft_delete=soft)
        for part in order:
            load_partition(spark, caps, project, events, part)
        got = silver_rows(project, _columns(strategy, soft))
        assert got == oracle(strategy, events, soft_delete=soft), (order, events)

    try:
        check()
    finally:
        shutil.rmtree(base, ignore_errors=True)
