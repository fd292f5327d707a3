"""A day of orders through the framework and through a hand-written PySpark script on the same
embedded engine: same data, same work, results checked equal, in one run, as ratios.

    PYTHONPATH=. python bench/day_pipeline.py [--rows 1000000] [--changed 100000] [--repeat 3]

Steps: bronze day 1 (`rows` JSON lines), silver day 1 (full_merge by order_id, sequenced by
updated_at), bronze day 2 (`changed` updates + `changed` new keys), silver merge day 2, gold
(GROUP BY status). The framework runs each step as an in-process Dagster `materialize()` with
its asset checks, quarantine and file manifest on. The script writes the same bronze columns
(_ingested_at, _ingested_date, _source_file), dedups by key and merges sequence-guarded.
Repeats alternate framework and script on fresh folders; each step's median is reported.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from dagster import AssetsDefinition, materialize

from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.project_loader import load_project_or_raise

DAY1, DAY2 = "2024-01-01", "2024-01-02"
STEPS = ["bronze day 1", "silver day 1", "bronze day 2", "silver merge day 2", "gold"]
COLUMNS = [
    {"name": "order_id", "type": "BIGINT", "nullable": False},
    {"name": "customer_id", "type": "BIGINT"},
    {"name": "amount", "type": "DOUBLE"},
    {"name": "status", "type": "STRING"},
    {"name": "updated_at", "type": "TIMESTAMP"},
]
SILVER = ["order_id", "customer_id", "amount", "status", "updated_at"]
SCHEMA = "order_id BIGINT, customer_id BIGINT, amount DOUBLE, status STRING, updated_at TIMESTAMP"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def write_landing(landing: Path, rows: int, changed: int) -> None:
    """Day 1: `rows` new orders; day 2: `changed` updates (newer updated_at) and `changed` new."""

    def order(i: int, status: str, ts: str) -> str:
        row = {"order_id": i, "customer_id": i % 5000, "amount": i % 997 / 7}
        return json.dumps({**row, "status": status, "updated_at": ts}) + "\n"

    day1 = landing / "orders" / f"dt={DAY1}"
    day2 = landing / "orders" / f"dt={DAY2}"
    day1.mkdir(parents=True)
    day2.mkdir(parents=True)
    with (day1 / "part-0.json").open("w") as out:
        out.writelines(order(i, "placed", "2024-01-01 10:00:00") for i in range(rows))
    step = max(1, rows // changed)
    with (day2 / "part-0.json").open("w") as out:
        out.writelines(order(i * step, "shipped", "2024-01-02 10:00:00") for i in range(changed))
        out.writelines(order(rows + i, "placed", "2024-01-02 11:00:00") for i in range(changed))


def write_contracts(folder: Path) -> None:
    table = {"schema": "shop", "columns": COLUMNS}
    files: dict[str, Any] = {
        "config.json": {
            "EXECUTION_ENVIRONMENT": "local",
            "PARTITION_START_DATE": DAY1,
            "environments": {
                "local": {
                    "env": "local",
                    "paths": {p: p for p in ("landing", "bronze", "silver", "gold", "ops")},
                }
            },
        },
        "tables/orders_raw.json": {**table, "name": "orders_raw", "partitions": ["_ingested_date"]},
        "tables/orders.json": {**table, "name": "orders"},
        "tables/revenue.json": {
            "schema": "shop",
            "name": "revenue",
            "columns": [
                {"name": "status", "type": "STRING"},
                {"name": "orders", "type": "BIGINT"},
                {"name": "revenue", "type": "DOUBLE"},
            ],
            "sql": "SELECT status, COUNT(*) AS orders, SUM(amount) AS revenue "
            "FROM shop.orders GROUP BY status",
        },
        "ingestion/batch/orders.json": {
            "name": "orders",
            "source": {"format": "json", "path": "{path.landing}/orders"},
            "destination_contract": "../../tables/orders_raw.json",
        },
        "ingestion/silver/orders.json": {
            "name": "orders",
            "strategy": "full_merge",
            "source_contract": "../../tables/orders_raw.json",
            "destination_contract": "../../tables/orders.json",
            "merge_keys": ["order_id"],
            "sequence_by": "updated_at",
        },
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def framework(root: Path, spark: SparkResource) -> tuple[dict[str, float], Any]:
    contracts = root / "contracts"
    write_contracts(contracts)
    project = load_project_or_raise(contracts, data_dir=root)
    defs = build_definitions(str(contracts), spark=spark, data_dir=str(root))
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    by_key = {a.key.to_user_string(): a for a in assets}
    runs = [
        ("bronze/shop/orders_raw", DAY1),
        ("silver/shop/orders", DAY1),
        ("bronze/shop/orders_raw", DAY2),
        ("silver/shop/orders", DAY2),
        ("gold/shop/revenue", None),
    ]
    times = {}
    for step, (key, day) in zip(STEPS, runs, strict=True):
        started = time.perf_counter()
        result = materialize(
            assets,
            selection=[by_key[key].key],
            partition_key=day,
            resources=dict(defs.resources or {}),
            run_config=QUIET,
        )
        times[step] = time.perf_counter() - started
        assert result.success, step
    return times, project.environment.paths


def script(root: Path, spark: SparkResource) -> tuple[dict[str, float], dict[str, str]]:
    """What a data engineer writes by hand for the same tables, on the same engine."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    session = spark.get_session()
    paths = {p: str(root / p) for p in ("landing", "bronze", "silver", "gold")}
    bronze, silver = f"{paths['bronze']}/orders_raw", f"{paths['silver']}/orders"
    times: dict[str, float] = {}

    def timed(step: str, body: Callable[[], None]) -> None:
        started = time.perf_counter()
        body()
        times[step] = time.perf_counter() - started

    def load_bronze(day: str) -> None:
        df = (
            session.read.schema(SCHEMA)
            .json(f"{paths['landing']}/orders/dt={day}")
            .withColumn("_ingested_at", F.current_timestamp())
            .withColumn("_ingested_date", F.lit(day).cast("date"))
            .withColumn("_source_file", F.lit(f"{paths['landing']}/orders/dt={day}/part-0.json"))
        )
        if not (Path(bronze) / "_delta_log").exists():  # Sail: replaceWhere needs a table
            df.write.format("delta").partitionBy("_ingested_date").save(bronze)
            return
        writer = df.write.format("delta").mode("overwrite")
        writer.option("replaceWhere", f"_ingested_date = DATE'{day}'").save(bronze)

    def load_silver(day: str) -> None:
        rows = session.read.format("delta").load(bronze).where(f"_ingested_date = DATE'{day}'")
        latest = Window.partitionBy("order_id").orderBy(F.col("updated_at").desc_nulls_last())
        batch = (
            rows.withColumn("_rn", F.row_number().over(latest))
            .where("_rn = 1")
            .select("order_id", "customer_id", "amount", "status", "updated_at")
        )
        if not (Path(silver) / "_delta_log").exists():
            batch.write.format("delta").save(silver)
            return
        batch.createOrReplaceTempView("batch")
        session.sql(
            f"MERGE INTO delta.`{silver}` t USING batch s ON t.order_id = s.order_id "
            "WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET * "
            "WHEN NOT MATCHED THEN INSERT *"
        ).collect()

    def gold() -> None:
        orders = session.read.format("delta").load(silver)
        revenue = orders.groupBy("status").agg(
            F.count(F.lit(1)).alias("orders"), F.sum("amount").alias("revenue")
        )
        revenue.write.format("delta").mode("overwrite").save(f"{paths['gold']}/revenue")

    timed(STEPS[0], lambda: load_bronze(DAY1))
    timed(STEPS[1], lambda: load_silver(DAY1))
    timed(STEPS[2], lambda: load_bronze(DAY2))
    timed(STEPS[3], lambda: load_silver(DAY2))
    timed(STEPS[4], gold)
    return times, paths


def polars_deltars(root: Path, spark: SparkResource) -> tuple[dict[str, float], dict[str, str]]:
    """The same tables written with polars and delta-rs (no engine), for reference."""
    import polars as pl
    from deltalake import DeltaTable, write_deltalake

    paths = {p: str(root / p) for p in ("landing", "bronze", "silver", "gold")}
    bronze, silver = f"{paths['bronze']}/orders_raw", f"{paths['silver']}/orders"
    times: dict[str, float] = {}
    ts = pl.Datetime("us", "UTC")

    def load_bronze(day: str) -> None:
        file = f"{paths['landing']}/orders/dt={day}/part-0.json"
        df = pl.read_ndjson(file).with_columns(
            pl.col("updated_at").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC"),
            pl.lit(datetime.now(timezone.utc)).cast(ts).alias("_ingested_at"),
            pl.lit(date.fromisoformat(day)).alias("_ingested_date"),
            pl.lit(file).alias("_source_file"),
        )
        first = not (Path(bronze) / "_delta_log").exists()
        write_deltalake(
            bronze,
            df.to_arrow(),
            mode="append" if first else "overwrite",
            partition_by=["_ingested_date"] if first else None,
            predicate=None if first else f"_ingested_date = '{day}'",
        )

    def load_silver(day: str) -> None:
        rows = pl.from_arrow(
            DeltaTable(bronze).to_pyarrow_table(
                partitions=[("_ingested_date", "=", day)], columns=SILVER
            )
        )
        assert isinstance(rows, pl.DataFrame)
        batch = rows.sort("updated_at", descending=True).unique("order_id", keep="first")
        if not (Path(silver) / "_delta_log").exists():
            write_deltalake(silver, batch.to_arrow())
            return
        DeltaTable(silver).merge(
            batch.to_arrow(), "t.order_id = s.order_id", source_alias="s", target_alias="t"
        ).when_matched_update_all(
            "s.updated_at > t.updated_at"
        ).when_not_matched_insert_all().execute()

    def gold() -> None:
        orders = pl.read_delta(silver)
        revenue = orders.group_by("status").agg(
            pl.len().cast(pl.Int64).alias("orders"), pl.col("amount").sum().alias("revenue")
        )
        write_deltalake(f"{paths['gold']}/revenue", revenue.to_arrow(), mode="overwrite")

    for step, body in zip(
        STEPS,
        [
            lambda: load_bronze(DAY1),
            lambda: load_silver(DAY1),
            lambda: load_bronze(DAY2),
            lambda: load_silver(DAY2),
            gold,
        ],
        strict=True,
    ):
        started = time.perf_counter()
        body()
        times[step] = time.perf_counter() - started
    return times, paths


def table_rows(spark: SparkResource, path: str, columns: list[str]) -> list[tuple]:
    df = spark.get_session().read.format("delta").load(path).select(*columns)
    return sorted(tuple(r) for r in df.collect())


def check_equal(spark: SparkResource, a: dict[str, str], b: dict[str, str]) -> None:
    assert table_rows(spark, f"{a['silver']}/shop/orders", SILVER) == table_rows(
        spark, f"{b['silver']}/orders", SILVER
    ), "silver differs"
    gold = ["status", "orders", "revenue"]
    left = table_rows(spark, f"{a['gold']}/shop/revenue", gold)
    right = table_rows(spark, f"{b['gold']}/revenue", gold)
    assert [r[:2] for r in left] == [r[:2] for r in right], "gold differs"
    assert all(
        abs(x[2] - y[2]) < 1e-6 * max(1.0, abs(y[2])) for x, y in zip(left, right, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spark = SparkResource(mode="local")
    runners = {"framework": framework, "script": script, "polars + delta-rs": polars_deltars}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in runners}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        landing = base / "landing_source"
        write_landing(landing, args.rows, args.changed)
        for n in range(args.repeat):
            roots = {}
            for name, run in runners.items():
                root = base / f"{name.replace(' ', '')}{n}"
                shutil.copytree(landing, root / "landing")
                times, paths = run(root, spark)
                results[name].append(times)
                roots[name] = paths
            check_equal(spark, roots["framework"], roots["script"])
            check_equal(spark, roots["framework"], roots["polars + delta-rs"])
            for name in roots:
                shutil.rmtree(base / f"{name.replace(' ', '')}{n}")
    print(
        f"| step ({args.rows:,} rows, day 2: {args.changed:,} updates + {args.changed:,} new) "
        "| framework in-process | hand-written PySpark on Sail | polars + delta-rs "
        "| framework / script |"
    )
    print("|---|---|---|---|---|")
    total = dict.fromkeys(runners, 0.0)
    for step in [*STEPS, "total"]:
        if step == "total":
            med = total
        else:
            med = {name: statistics.median(r[step] for r in results[name]) for name in runners}
            for name in runners:
                total[name] += med[name]
        cells = " | ".join(f"{med[name]:.2f} s" for name in runners)
        print(f"| {step} | {cells} | {med['framework'] / med['script']:.1f}x |")


if __name__ == "__main__":
    main()
