"""Property tests for scd2 and ignore_null_updates with sequence_by over several columns
(issue 17): random event streams with two order columns (ts, seq) split into bronze partitions
processed in random order (a backfill run, one partition re-run), on real Sail and real Delta;
silver must equal the oracle of tests/oracle_scd2_order.py, valid_from / valid_to being the
STRUCT<ts, seq> of the order values."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.helpers import delta_rows, table_path
from tests.oracle_order import DATA, OrderEvent, load_order_partition, make_order_project
from tests.oracle_scd2_order import null_updates_oracle, scd2_order_oracle, sort_rows
from tests.test_strategies_properties import PARTS, _caps, order_st

SETTINGS = settings(
    max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
ORDER = ["ts", "seq"]
_counter = itertools.count()
# Few values, rare NULLs: many events of one key share ts and differ in seq, where the first
# column alone cannot order them (a NULL order value or key is quarantined, so kept rare).
events_st = st.lists(
    st.builds(
        OrderEvent,
        k=st.sampled_from([0, 1, 0, 1, None]),
        ts=st.sampled_from([1, 0, 1, None]),
        seq=st.sampled_from([2, 0, 1, 2, 1, None]),
        v=st.sampled_from(["a", "b", None]),
        op=st.sampled_from(["I", "U", "D", "U"]),
        part=st.integers(0, PARTS - 1),
    ),
    min_size=3,
    max_size=14,
)
# Equal ts, seq arriving newest first: a version per seq, in seq order.
TIES = [
    OrderEvent(1, 1, 2, "a", "U", 0),
    OrderEvent(1, 1, 1, "b", "I", 1),
    OrderEvent(1, 1, 0, "a", "U", 2),
    OrderEvent(1, 0, 5, "c", "I", 2),
    OrderEvent(1, 1, None, "z", "I", 2),
]


def _check(tag, caps, spark, monkeypatch, build, columns, expected) -> None:
    base = Path(tempfile.mkdtemp(prefix=f"scd2order_{tag}_"))

    @SETTINGS
    @given(events=events_st, order=order_st)
    @example(events=TIES, order=[(2,), (1,), (0,)])
    def check(events: list[OrderEvent], order: list[tuple[int, ...]]) -> None:
        root = base / f"case{next(_counter)}"
        monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(root / "data"))
        project = build(root / "contracts")
        for part in order:
            load_order_partition(spark, caps, project, events, part)
        rows = delta_rows(table_path(project, "silver/lab/ev"), columns)
        assert sort_rows(rows) == expected(events), (order, events)

    try:
        check()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fill", "merge"), [(False, "key_slice"), (False, "engine_merge"), (True, "key_slice")]
)
def test_scd2_two_order_columns_equals_oracle(fill, merge, spark, spark_resource, monkeypatch):
    """Versions ordered by (ts, seq) field by field, valid_from / valid_to the struct of them;
    a NULL in either column is quarantined. The key-slice write-back matches the struct
    field by field. `fill`: with ignore_null_updates (strategies/scd2_columns.py's history)."""
    options = {"ignore_null_updates": True} if fill else None
    _check(
        f"scd2_{fill}_{merge}",
        _caps(spark_resource, merge),
        spark,
        monkeypatch,
        lambda folder: make_order_project(folder, "scd2", ORDER, options=options),
        [*DATA, "valid_from", "valid_to", "is_current"],
        lambda events: scd2_order_oracle(events, ORDER, fill_nulls=fill),
    )


@pytest.mark.slow
def test_ignore_null_updates_two_order_columns_equals_oracle(spark, spark_resource, monkeypatch):
    """cdc_merge's event log keyed by the keys and both order columns; NULL v keeps the value of
    the latest earlier upsert in (ts, seq) order. Key-slice merge (no struct in its identities)."""
    _check(
        "nulls",
        _caps(spark_resource, "key_slice"),
        spark,
        monkeypatch,
        lambda folder: make_order_project(
            folder, "cdc_merge", ORDER, options={"ignore_null_updates": True}
        ),
        DATA,
        lambda events: null_updates_oracle(events, ORDER),
    )


def test_a_null_in_either_order_column_is_quarantined_with_the_reason(spark, tmp_path, monkeypatch):
    """scd2 cannot place an event whose order value lacks a field: quarantined, saying which."""
    from lakehouse_assets.assets.silver import silver_batch
    from lakehouse_assets.contracts.framework_columns import QUARANTINE_REASON

    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(tmp_path / "data"))
    project = make_order_project(tmp_path / "c", "scd2", ORDER)
    df = spark.createDataFrame(
        [(1, 0, 1, "a", "I"), (1, None, 2, "b", "U"), (2, 1, None, "c", "I")],
        "k BIGINT, ts BIGINT, seq BIGINT, v STRING, op_type STRING",
    )
    batch = silver_batch(df, project.asset("silver/lab/ev"), ["2024-01-01"])
    assert [(r["k"], r["seq"]) for r in batch.data.collect()] == [(1, 1)]
    reasons = {r["k"]: r[QUARANTINE_REASON] for r in batch.rejected.collect()}
    assert "null order column ts (scd2 needs it)" in reasons[1]
    assert "null order column seq (scd2 needs it)" in reasons[2]
