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

from tests.strategy_lab import (
    APPLY_AS_DELETES,
    DATA,
    Event,
    load_partition,
    make_project,
    op_deletes,
    oracle,
    removed_deletes,
    silver_rows,
)

PARTS = 3


def _events(ops: list[str], removed: list[bool | None]) -> st.SearchStrategy[list[Event]]:
    return st.lists(
        st.builds(
            Event,
            k=st.one_of(st.none(), st.integers(0, 3)) | st.integers(0, 3),
            seq=st.one_of(st.none(), st.integers(0, 4)) | st.integers(0, 4),
            v=st.sampled_from([None, "a", "b"]),
            op=st.sampled_from(ops),
            part=st.integers(0, PARTS - 1),
            removed=st.sampled_from(removed),
        ),
        min_size=1,
        max_size=14,
    )


events_st = _events(["I", "U", "D"], [None])
# apply_as_deletes: is_removed (NULL is not a delete) or op X deletes; op D alone updates.
removed_events_st = _events(["I", "U", "D", "X"], [None, False, True])


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


def _check_oracle(tag, caps, spark, monkeypatch, events_strategy, build, expected) -> None:
    """Every example on its own tables, partitions in the drawn order; silver == oracle."""
    base = Path(tempfile.mkdtemp(prefix=f"lab_{tag}_"))

    @SETTINGS
    @given(events=events_strategy, order=order_st)
    def check(events: list[Event], order: list[tuple[int, ...]]) -> None:
        root = base / f"case{next(_counter)}"
        # each example gets its own tables: relative paths resolve under the data root
        monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(root / "data"))
        project, columns, removed = build(root / "contracts")
        for part in order:
            load_partition(spark, caps, project, events, part, removed=removed)
        assert silver_rows(project, columns) == expected(events), (order, events)

    try:
        check()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _caps(spark_resource, merge: str):
    caps = spark_resource.capabilities
    return replace(caps, merge_prunes_files=True) if merge == "engine_merge" else caps


@pytest.mark.slow
@pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])
@pytest.mark.parametrize(("strategy", "soft"), CASES)
def test_silver_equals_oracle_in_any_partition_order(
    strategy, soft, merge, spark, spark_resource, monkeypatch
):
    """Both ways a merge runs: Sail's key slice written back by delta-rs, and the engine's own
    MERGE statement (what Spark and Databricks run), forced here on Sail."""

    def build(folder: Path):
        project = make_project(folder, strategy, soft_delete=soft)
        return project, _columns(strategy, soft), False

    _check_oracle(
        strategy,
        _caps(spark_resource, merge),
        spark,
        monkeypatch,
        events_st,
        build,
        lambda events: oracle(strategy, events, soft_delete=soft, deletes=op_deletes),
    )


@pytest.mark.slow
@pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])
@pytest.mark.parametrize(
    ("strategy", "soft"), [("cdc_merge", True), ("cdc_merge", False), ("scd2", False)]
)
def test_apply_as_deletes_equals_oracle_in_any_partition_order(
    strategy, soft, merge, spark, spark_resource, monkeypatch
):
    """Lakeflow's apply_as_deletes: an event is a delete iff `is_removed OR op_type = 'X'`
    (op D alone is an update, op X is not quarantined as unknown), in soft and hard deletes,
    the tombstones, scd2's closing of versions and both merge paths."""

    def build(folder: Path):
        project = make_project(
            folder, strategy, soft_delete=soft, apply_as_deletes=APPLY_AS_DELETES
        )
        return project, _columns(strategy, soft), True

    _check_oracle(
        f"{strategy}_deletes",
        _caps(spark_resource, merge),
        spark,
        monkeypatch,
        removed_events_st,
        build,
        lambda events: oracle(strategy, events, soft_delete=soft, deletes=removed_deletes),
    )
