"""Silver merge benchmarks. Not a test: prints a Markdown table for bench/RESULTS.md.

(a) merge 100k changed rows into a 1M-row silver table: the framework (silver_batch + the
    full_merge plan executed by the IO manager's writer, on embedded Sail) against the same
    sequence-guarded upsert done with raw delta-rs `DeltaTable.merge`, same data, same run.
(b) 30 daily partitions of equal size processed in order through the same path as the silver
    asset (bronze partition read -> silver_batch -> writer): time of day 30 / time of day 1.
    The 30 days are run --repeat times on fresh tables and each day's median is reported, so
    one noisy day on a shared machine does not decide the ratio.

    PYTHONPATH=. python bench/merge_bench.py [--rows 1000000 --changed 100000]
        [--daily 20000 --days 30 --repeat 3 --strategies full_merge,cdc_merge,scd2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from lakehouse_assets.assets.silver import silver_batch
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.io.table_creation import ensure_table
from lakehouse_assets.io.upstream import read_partitions
from lakehouse_assets.io.writer import write_batch
from lakehouse_assets.tables.location import locate_key
from lakehouse_assets.tables.physical import partition_columns, physical_columns
from tests.strategy_lab import make_project

SCHEMA = "k BIGINT, seq BIGINT, v STRING, op_type STRING"


def _events(spark, start: int, count: int, seq: int, tag: str, day: str | None = None):
    from pyspark.sql import functions as F

    df = spark.range(start, start + count).select(
        F.col("id").alias("k"),
        F.lit(seq).cast("bigint").alias("seq"),
        F.concat(F.lit(tag), F.col("id").cast("string")).alias("v"),
        F.lit("U").alias("op_type"),
    )
    if day:
        df = df.withColumn("_ingested_date", F.lit(day).cast("date"))
    return df


def bench_a(spark, caps, root: Path, rows: int, changed: int) -> dict[str, float]:
    from deltalake import DeltaTable

    os.environ["LAKEHOUSE_DATA_ROOT"] = str(root / "a")
    project = make_project(root / "a_contracts", "full_merge")
    asset = project.asset("silver/lab/ev")
    location = locate_key(project, asset.key, caps)
    write_batch(
        spark,
        caps,
        asset,
        location,
        silver_batch(_events(spark, 0, rows, 1, "v"), asset, ["2024-01-01"]),
        "init",
    )
    path = location.path
    assert path
    copy = str(root / "deltars_copy")
    shutil.copytree(path, copy)
    # 100k keys spread over the table, newer sequence and new values
    step = rows // changed
    batch_df = _events(spark, 0, changed, 2, "w").selectExpr(
        f"k * {step} AS k", "seq", "v", "op_type"
    )
    batch_df = spark.createDataFrame(batch_df.toPandas(), SCHEMA)  # materialized, like bronze
    started = time.perf_counter()
    write_batch(
        spark, caps, asset, location, silver_batch(batch_df, asset, ["2024-01-02"]), "bench"
    )
    framework = time.perf_counter() - started

    source = batch_df.toArrow() if hasattr(batch_df, "toArrow") else None
    if source is None:
        import pyarrow as pa

        source = pa.Table.from_pandas(batch_df.toPandas(), preserve_index=False)
    source = source.drop(["op_type"])
    started = time.perf_counter()
    (
        DeltaTable(copy)
        .merge(source, "t.k = s.k", source_alias="s", target_alias="t")
        .when_matched_update(
            {"seq": "s.seq", "v": "s.v", "_silver_modified_at": "now()"},
            predicate="s.seq >= t.seq AND s.v != t.v",
        )
        .when_not_matched_insert(
            {
                "k": "s.k",
                "seq": "s.seq",
                "v": "s.v",
                "_silver_created_at": "now()",
                "_silver_modified_at": "now()",
            }
        )
        .execute()
    )
    deltars = time.perf_counter() - started
    check = spark.read.format("delta").load(path).where("seq = 2").count()
    assert check == changed, check
    assert DeltaTable(copy).to_pyarrow_table(filters=[("seq", "=", 2)]).num_rows == changed
    return {"framework_s": framework, "deltars_s": deltars}


def _day(d: int) -> str:
    return str(date(2024, 1, 1) + timedelta(days=d))


def bench_b(spark, caps, root: Path, strategy: str, daily: int, days: int) -> list[float]:
    from lakehouse_assets.io import frames

    root = Path(tempfile.mkdtemp(prefix=f"b_{strategy}_", dir=root))
    os.environ["LAKEHOUSE_DATA_ROOT"] = str(root / "data")
    project = make_project(root / "contracts", strategy)
    asset = project.asset("silver/lab/ev")
    bronze = locate_key(project, ("bronze", "lab", "ev_raw"), caps)
    # bronze: `days` partitions; each day 70% new keys and 30% updates of the previous day's
    new = int(daily * 0.7)
    for d in range(days):
        day = _day(d)
        fresh = _events(spark, d * new, new, d + 1, f"d{d}-", day)
        again = _events(spark, max(0, (d - 1) * new), daily - new, d + 1, f"u{d}-", day)
        frames.write(fresh.unionByName(again), bronze, "append", partition_by=["_ingested_date"])
    location = locate_key(project, asset.key, caps)
    ensure_table(
        spark, caps, asset.contract, physical_columns(asset), partition_columns(asset), location
    )
    times = []
    for d in range(days):
        day = _day(d)
        started = time.perf_counter()
        source = read_partitions(spark, bronze, [day])
        write_batch(spark, caps, asset, location, silver_batch(source, asset, [day]), f"day{d}")
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=100_000)
    parser.add_argument("--daily", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--strategies", default="full_merge,cdc_merge,scd2")
    parser.add_argument("--skip-a", action="store_true")
    args = parser.parse_args()
    spark_resource = SparkResource(mode="local")
    spark, caps = spark_resource.get_session(), spark_resource.capabilities
    root = Path(tempfile.mkdtemp(prefix="merge_bench_"))
    try:
        if not args.skip_a:
            a = bench_a(spark, caps, root, args.rows, args.changed)
            print(
                f"| (a) merge {args.changed:,} changed rows into {args.rows:,} | framework "
                f"{a['framework_s']:.2f} s | delta-rs {a['deltars_s']:.2f} s | ratio "
                f"{a['framework_s'] / a['deltars_s']:.1f}x |",
                flush=True,
            )
        for strategy in args.strategies.split(","):
            runs = [
                bench_b(spark, caps, root, strategy, args.daily, args.days)
                for _ in range(args.repeat)
            ]
            t = [statistics.median(day) for day in zip(*runs, strict=True)]
            first3, last3 = statistics.median(t[:3]), statistics.median(t[-3:])
            print(
                f"| (b) {strategy}: {args.days} days x {args.daily:,} rows, median of "
                f"{args.repeat} | day 1 "
                f"{t[0]:.2f} s, day {args.days} {t[-1]:.2f} s | day{args.days}/day1 "
                f"{t[-1] / t[0]:.2f} | day{args.days}/day2 {t[-1] / t[1]:.2f} | "
                f"median last 3 / first 3 {last3 / first3:.2f} |",
                flush=True,
            )
            print("    per day: " + " ".join(f"{x:.2f}" for x in t), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
