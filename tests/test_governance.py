"""The governance API outside Dagster: TableWriter and TableReader on the demo's contracts,
real engine, real Delta; changes() on Sail is the documented diff of two versions."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from lakehouse_assets.governance import TableReader, TableWriter
from tests.helpers import delta_rows, table_path

SCHEMA = "product_id BIGINT, product_name STRING, category STRING, price DOUBLE, updated_at STRING"


def _df(spark, rows):
    return spark.createDataFrame(rows, SCHEMA)


def _prices(project):
    rows = delta_rows(table_path(project, "silver/shop/products"), ["product_id", "price"])
    return {r["product_id"]: r["price"] for r in rows}


def test_writer_operations(demo_project, spark, spark_resource):
    w = TableWriter("silver/shop/products", demo_project, spark_resource)
    facts = w.overwrite(
        _df(
            spark,
            [(1, "a", "x", 1.0, "2024-01-01 00:00:00"), (2, "b", "y", 2.0, "2024-01-01 00:00:00")],
        )
    )
    assert facts["rows"] == 2 and facts["operation"] == "overwrite"
    assert w.append(_df(spark, [(3, "c", "x", 3.0, "2024-01-01 00:00:00")]))["rows"] == 1
    facts = w.upsert(
        _df(
            spark,
            [
                (1, "a", "x", 9.0, "2023-12-31 00:00:00"),  # older: must not win
                (2, "b", "y", 5.0, "2024-01-02 00:00:00"),  # newer: replaces
                (2, "b", "y", 4.0, "2024-01-01 12:00:00"),  # older duplicate in the batch
                (4, "d", "z", 4.0, "2024-01-02 00:00:00"),  # new key
                (None, "n", "z", 7.0, "2024-01-02 00:00:00"),
            ],
        )
    )
    assert facts["keys"] == ["product_id"] and facts["null_keys_skipped"] == 1
    assert _prices(demo_project) == {
        1: Decimal("1.00"),
        2: Decimal("5.00"),
        3: Decimal("3.00"),
        4: Decimal("4.00"),
    }
    w.delete("price > 4")
    assert set(_prices(demo_project)) == {1, 3, 4}
    rows = delta_rows(table_path(demo_project, "silver/shop/products"))
    assert all(r["_silver_created_at"] is not None for r in rows)
    with pytest.raises(ValueError, match="NOT NULL column 'product_id'"):
        w.append(spark.createDataFrame([("x",)], "product_name STRING"))


def test_overwrite_partition_replaces_only_that_partition(demo_project, spark, spark_resource):
    from pyspark.sql import functions as F

    w = TableWriter("bronze/shop/products_raw", demo_project, spark_resource)

    def day(d, ids):
        return _df(spark, [(i, "p", "c", 1.0, f"{d} 00:00:00") for i in ids]).withColumn(
            "_ingested_date", F.lit(d).cast("date")
        )

    w.append(day("2024-01-01", [1, 2]))
    w.append(day("2024-01-02", [3]))
    w.overwrite_partition(day("2024-01-02", [4, 5]), {"_ingested_date": "2024-01-02"})
    reader = TableReader("bronze/shop/products_raw", demo_project, spark_resource)
    got = sorted(
        r.product_id for r in reader.read_partition({"_ingested_date": "2024-01-02"}).collect()
    )
    assert got == [4, 5]
    assert reader.read().count() == 4
    with pytest.raises(ValueError, match="outside the partition"):
        w.overwrite_partition(day("2024-01-03", [6]), {"_ingested_date": "2024-01-02"})


def test_reader_time_travel_history_and_changes(demo_project, spark, spark_resource):
    w = TableWriter("silver/shop/products", demo_project, spark_resource)
    w.overwrite(
        _df(
            spark,
            [
                (1, "a", "x", 1.0, "2024-01-01 00:00:00"),
                (2, "b", "y", 2.0, "2024-01-01 00:00:00"),
                (3, "c", "z", 3.0, "2024-01-01 00:00:00"),
            ],
        )
    )
    r = TableReader("silver/shop/products", demo_project, spark_resource)
    v0 = r.version()
    time.sleep(1.1)  # commit timestamps have millisecond resolution; keep them apart
    between = datetime.now(timezone.utc)
    time.sleep(1.1)
    facts = w.upsert(
        _df(
            spark,
            [(2, "b", "y", 20.0, "2024-01-02 00:00:00"), (4, "d", "x", 4.0, "2024-01-02 00:00:00")],
        )
    )
    # On Sail the key-slice merge commits the update, then the insert (io/key_slice_merge.py).
    assert facts["delta_version"] == v0 + 2
    assert (facts["merge_rows_updated"], facts["merge_rows_inserted"]) == (1, 1)
    w.delete("product_id = 3")
    v2 = r.version()
    assert v2 == v0 + 3
    assert r.read(filter="category = 'x'").count() == 2
    assert r.read(version=v0).count() == 3
    assert r.read(timestamp=between).count() == 3
    assert len(r.history()) >= 3
    changes = {(row.product_id, row._change_type): row for row in r.changes(v0 + 1).collect()}
    assert set(changes) == {
        (2, "update_preimage"),
        (2, "update_postimage"),
        (4, "insert"),
        (3, "delete"),
    }
    assert changes[(2, "update_preimage")].price == Decimal("2.00")
    assert changes[(2, "update_postimage")].price == Decimal("20.00")
    assert {row._commit_version for row in changes.values()} == {v2}
    assert r.changes(v2 + 1 - 1, v2).where("_change_type = 'delete'").count() == 1


def test_rows_in_partitions_from_log_stats_or_by_scan(tmp_path):
    import pyarrow as pa
    from deltalake import write_deltalake

    from lakehouse_assets.tables.table_ops import DeltaRsTableOps

    days = pa.array([date(2024, 1, d) for d in (1, 1, 2, 3, 3, 3)], pa.date32())
    data = pa.table({"_ingested_date": days, "n": pa.array(range(6), pa.int64())})
    write_deltalake(tmp_path / "by_day", data, partition_by=["_ingested_date"])
    write_deltalake(tmp_path / "flat", data)
    for name in ("by_day", "flat"):  # stats of the partition files; a scan of the flat table
        ops = DeltaRsTableOps(str(tmp_path / name))
        assert ops.rows_in_partitions("_ingested_date", ["2024-01-01", "2024-01-03"]) == 5
        assert ops.rows_in_partitions("_ingested_date", ["2024-01-04"]) == 0
