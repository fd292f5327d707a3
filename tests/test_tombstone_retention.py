"""tombstone_retention on cdc_merge's hard deletes: with a retention longer than the data's
span silver equals the oracle in any partition order; once a tombstone is purged, a replayed
older insert of its key comes back (the documented resurrection), and not before."""

from __future__ import annotations

import pytest

from tests.helpers import delta_rows, table_path
from tests.strategy_lab import DATA, Event, load_partition, make_project, oracle, silver_rows
from tests.test_strategies_properties import _caps, _check_oracle, events_st

INSERT, DELETE = Event(1, 1, "a", "I", 0), Event(1, 2, None, "D", 1)


@pytest.mark.slow
def test_retention_longer_than_the_data_equals_the_oracle(spark, spark_resource, monkeypatch):
    def build(folder):
        promotion = {"tombstone_retention": "30 days"}
        return make_project(folder, "cdc_merge", promotion=promotion), DATA, False

    _check_oracle(
        "retention",
        _caps(spark_resource, "key_slice"),
        spark,
        monkeypatch,
        events_st,
        build,
        lambda events: oracle("cdc_merge", events),
    )


def _replay(tmp_path, spark, caps, retention: str) -> tuple[list[dict], list[dict]]:
    """The delete (day 2) runs first, then the older insert (day 1) arrives: a replay."""
    project = make_project(
        tmp_path / "c", "cdc_merge", promotion={"tombstone_retention": retention}
    )
    load_partition(spark, caps, project, [INSERT, DELETE], 1)
    tombstones = delta_rows(f"{table_path(project, 'silver/lab/ev')}_tombstones")
    load_partition(spark, caps, project, [INSERT, DELETE], 0)
    return silver_rows(project, DATA), tombstones


MERGES = pytest.mark.parametrize("merge", ["key_slice", "engine_merge"])


@MERGES
def test_no_resurrection_within_the_retention(merge, tmp_path, data_root, spark, spark_resource):
    rows, tombstones = _replay(tmp_path, spark, _caps(spark_resource, merge), "7 days")
    assert rows == []
    assert [(t["k"], t["seq"]) for t in tombstones] == [(1, 2)]
    assert tombstones[0]["_tombstoned_at"] is not None


@MERGES
def test_a_purged_delete_lets_an_older_replay_come_back(
    merge, tmp_path, data_root, spark, spark_resource
):
    # "0 hours": each write purges every tombstone, including the one it just recorded.
    rows, tombstones = _replay(tmp_path, spark, _caps(spark_resource, merge), "0 hours")
    assert tombstones == []
    assert rows == [{"k": 1, "seq": 1, "v": "a"}]


def test_retention_set_later_stamps_the_old_tombstones_table(
    tmp_path, data_root, spark, spark_resource
):
    caps = spark_resource.capabilities
    project = make_project(tmp_path / "c", "cdc_merge")
    load_partition(spark, caps, project, [DELETE], 1)  # a tombstone without a time
    project = make_project(
        tmp_path / "c", "cdc_merge", promotion={"tombstone_retention": "0 hours"}
    )
    load_partition(spark, caps, project, [Event(2, 5, None, "D", 2)], 2)
    tombstones = delta_rows(f"{table_path(project, 'silver/lab/ev')}_tombstones")
    # The old one's age is unknown: kept; the new one is purged at once.
    assert [(t["k"], t["_tombstoned_at"]) for t in tombstones] == [(1, None)]
    load_partition(spark, caps, project, [INSERT], 0)
    assert silver_rows(project, DATA) == []
