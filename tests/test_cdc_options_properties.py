"""Property tests for Lakeflow's column options: random event streams (duplicates, equal order
values, out-of-order events within and across partitions, deletes and re-inserts, NULLs in
updates, null keys and order values) split into bronze partitions processed in random order,
some as one backfill run, one partition re-run; on the real engine and real Delta, through both
merge paths, silver must equal the oracle of tests/oracle_cdc_columns.py."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests import strategy_lab as lab
from tests.helpers import delta_rows, table_path
from tests.oracle_cdc_columns import (
    COLUMNS,
    Event,
    cdc_oracle,
    load_partition,
    make_project,
    scd2_oracle,
    without_w,
)
from tests.test_strategies_properties import PARTS, _runs, order_st

events_st = st.lists(
    st.builds(
        Event,
        k=st.integers(0, 1) | st.integers(0, 1) | st.none(),
        seq=st.integers(0, 5) | st.integers(0, 5) | st.none(),
        v=st.sampled_from([None, None, "a", "b"]),
        w=st.sampled_from([None, "x", "y"]),
        op=st.sampled_from(["I", "U", "U", "D"]),
        part=st.integers(0, PARTS - 1),
    ),
    min_size=6,  # so that even hypothesis's first, smallest examples hold several updates
    max_size=14,
)


SETTINGS = settings(
    max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
_counter = itertools.count()

# Always tried besides the drawn examples, as every option changes its outcome: key 0's
# updates arrive newest first (a NULL to fill, an untracked change inside a version), and
# key 1's update after a delete must not take a value from before the delete.
TELLING = [
    Event(0, 1, "a", "x", "I", 2),
    Event(0, 2, "a", "y", "U", 1),
    Event(0, 3, "b", "y", "U", 0),
    Event(0, 4, None, None, "U", 0),
    Event(1, 1, "a", "x", "I", 0),
    Event(1, 2, None, None, "D", 1),
    Event(1, 3, None, "y", "U", 0),
]
TELLING_ORDER = _runs([2, 0, 1], 1, False)

# (strategy, soft delete, promotion options, the columns whose NULLs are kept, tracked columns)
CASES: list[tuple[str, bool, dict[str, Any], set[str], list[str] | None]] = [
    ("cdc_merge", False, {"ignore_null_updates": True}, {"seq", "v", "w"}, None),
    ("cdc_merge", True, {"ignore_null_updates_column_list": ["v"]}, {"v"}, None),
    ("scd2", False, {"ignore_null_updates_except_column_list": ["w"]}, {"seq", "v"}, None),
    ("scd2", False, {"track_history_column_list": ["v"]}, set(), ["v"]),
    (
        "scd2",
        False,
        {"track_history_except_column_list": ["w"], "ignore_null_updates": True},
        {"seq", "v", "w"},
        ["k", "v"],
    ),
]


# column_list / except_column_list: silver stores k, seq, v of a source that also has w
STORED_CASES: list[tuple[str, bool, dict[str, Any]]] = [
    ("cdc_merge", False, {"except_column_list": ["w", "op_type"]}),
    ("scd2", False, {"column_list": ["k", "seq", "v"]}),
]


def _expected(strategy: str, soft: bool, kept: set[str], tracked: list[str] | None):
    if strategy == "scd2":
        return lambda events: scd2_oracle(events, kept, tracked)
    return lambda events: cdc_oracle(events, kept, soft)


def _columns(strategy: str, soft: bool) -> list[str]:
    extra = ["is_deleted"] if soft else []
    scd = ["valid_from", "valid_to", "is_current"] if strategy == "scd2" else []
    return COLUMNS + extra + scd


def _caps(spark_resource, merge: str):
    caps = spark_resource.capabilities
    return replace(caps, merge_prunes_files=True) if merge == "engine_merge" else caps


def _check_oracle(caps, spark, monkeypatch, lab_case, expected, columns: list[str]) -> None:
    """Every example on its own tables, partitions in the drawn order; silver == oracle.
    `lab_case`: (strategy, soft delete, promotion options, data columns silver declares)."""
    strategy, soft, options, stored = lab_case
    base = Path(tempfile.mkdtemp(prefix=f"cdcopts_{strategy}_"))

    @SETTINGS
    @given(events=events_st, order=order_st)
    @example(events=TELLING, order=TELLING_ORDER)
    def check(events: list[Event], order: list[tuple[int, ...]]) -> None:
        root = base / f"case{next(_counter)}"
        monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(root / "data"))
        project = make_project(root / "contracts", strategy, options, soft, stored)
        for parts in order:
            load_partition(spark, caps, project, events, parts)
        rows = delta_rows(table_path(project, "silver/lab/ev"), columns)
        got = sorted(rows, key=lambda r: tuple((v is None, v) for v in r.values()))
        assert got == expected(events), (order, events)

    try:
        check()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])
@pytest.mark.parametrize(("strategy", "soft", "options", "kept", "tracked"), CASES)
def test_column_options_equal_oracle_in_any_partition_order(
    strategy, soft, options, kept, tracked, merge, spark, spark_resource, monkeypatch
):
    """Both merge paths: Sail's key slice written back by delta-rs, and the engine's own MERGE
    (what Spark and Databricks run), forced here on Sail."""
    _check_oracle(
        _caps(spark_resource, merge),
        spark,
        monkeypatch,
        (strategy, soft, options, COLUMNS),
        _expected(strategy, soft, kept, tracked),
        _columns(strategy, soft),
    )


@pytest.mark.slow
@pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])
@pytest.mark.parametrize(("strategy", "soft", "options"), STORED_CASES)
def test_stored_columns_equal_oracle_in_any_partition_order(
    strategy, soft, options, merge, spark, spark_resource, monkeypatch
):
    """A source column silver does not store (w) is not written, and neither changes a row nor
    breaks a tie: silver equals tests/strategy_lab.py's oracle of the events without it."""
    stored = ["k", "seq", "v"]
    _check_oracle(
        _caps(spark_resource, merge),
        spark,
        monkeypatch,
        (strategy, soft, options, stored),
        lambda events: lab.oracle(strategy, without_w(events), soft_delete=soft),
        [*stored, *_columns(strategy, soft)[len(COLUMNS) :]],
    )
