"""A day of orders through the framework (CLI and in-process), a hand-written PySpark script on
the same embedded engine, polars + delta-rs, and dlt: same data, same work, results checked
equal, in one run, as ratios, with each runner's peak resident memory.

    PYTHONPATH=. python bench/day_pipeline.py [--rows 1000000] [--changed 100000] [--repeat 3]
        [--only cli,framework,script,polars,dlt]

    # the memory run (10M rows a day on the 24 GiB machine):
    PYTHONPATH=. python bench/day_pipeline.py --rows 10000000 --changed 1000000 --repeat 1 \\
        --only framework,script

Steps: bronze day 1 (`rows` JSON lines), silver day 1 (full_merge by order_id, sequenced by
updated_at), bronze day 2 (`changed` updates + `changed` new keys), silver merge day 2, gold
(GROUP BY status). Runners (`--only` takes their names):

- cli: each step is one `dagster asset materialize` process (the CLI next to this interpreter)
  on the same contracts, with a fresh DAGSTER_HOME (telemetry off): what a user pays per run.
- framework: each step is an in-process Dagster `materialize()` with its asset checks,
  quarantine and file manifest on, in a warm process (engine started and Dagster's storage
  imported before the clock, as in a long-lived process).
- script: plain PySpark on the embedded engine, the same bronze columns (_ingested_at,
  _ingested_date, _source_file), dedup by key, sequence-guarded MERGE.
- polars: polars + delta-rs, no engine.
- dlt: dlt's filesystem destination with `table_format="delta"` (`pip install -e '.[dev]'`
  brings dlt; without it the runner is skipped with a note).

Each repetition runs every runner in a child process of its own (this script with `--runner
NAME --root DIR`), on a fresh folder, starting with a different runner each time; the child's
peak RSS comes from `os.wait4` (on Linux the child's and its waited-for descendants' maximum,
so the CLI runner's dagster processes count). Silver and gold of every runner are checked equal
to the first runner's after each repetition. Step times are medians; peak RSS is the maximum.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse_assets.assets.run_config import QUIET

if TYPE_CHECKING:
    import polars as pl

    from lakehouse_assets.engine.resource import SparkResource

REPO = Path(__file__).resolve().parents[1]
DAY1, DAY2 = "2024-01-01", "2024-01-02"
STEPS = ["bronze day 1", "silver day 1", "bronze day 2", "silver merge day 2", "gold"]
# The framework's five runs, as (asset key, partition): gold has no partition.
RUNS: list[tuple[str, str | None]] = [
    ("bronze/shop/orders_raw", DAY1),
    ("silver/shop/orders", DAY1),
    ("bronze/shop/orders_raw", DAY2),
    ("silver/shop/orders", DAY2),
    ("gold/shop/revenue", None),
]
COLUMNS = [
    {"name": "order_id", "type": "BIGINT", "nullable": False},
    {"name": "customer_id", "type": "BIGINT"},
    {"name": "amount", "type": "DOUBLE"},
    {"name": "status", "type": "STRING"},
    {"name": "updated_at", "type": "TIMESTAMP"},
]
SILVER = ["order_id", "customer_id", "amount", "status", "updated_at"]
GOLD = ["status", "orders", "revenue"]
SCHEMA = "order_id BIGINT, customer_id BIGINT, amount DOUBLE, status STRING, updated_at TIMESTAMP"
RESULT_FILE = "bench_result.json"  # what a child leaves in its root for the parent

Times = dict[str, float]


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


def day_steps(
    load_bronze: Callable[[str], None], load_silver: Callable[[str], None], gold: Callable[[], None]
) -> Times:
    """The five steps of a hand-written runner, timed: bronze and silver per day, then gold."""
    return timed_steps(
        [
            lambda: load_bronze(DAY1),
            lambda: load_silver(DAY1),
            lambda: load_bronze(DAY2),
            lambda: load_silver(DAY2),
            gold,
        ]
    )


def timed_steps(bodies: list[Callable[[], object]]) -> Times:
    """Run the five steps in order, timing each."""
    times: Times = {}
    for step, body in zip(STEPS, bodies, strict=True):
        started = time.perf_counter()
        body()
        times[step] = time.perf_counter() - started
    return times


def local_engine() -> SparkResource:
    """The embedded engine, started before any step is timed (as a long-lived process has it)."""
    from lakehouse_assets.engine.resource import SparkResource

    spark = SparkResource(mode="local")
    spark.get_session()
    return spark


# --- the runners: each takes a fresh root holding landing/ and returns its step times ---


def framework_cli(root: Path) -> Times:
    """Each step as one `dagster asset materialize` process, as a user or a scheduler runs it.

    The code location reads its contracts from LAKEHOUSE_PROJECT_DIR and resolves the
    environment's relative paths ({path.landing}, ...) under LAKEHOUSE_DATA_ROOT, so the tables
    land where the in-process runner puts them (root/bronze/shop/..., root/silver/shop/...)."""
    contracts = root / "contracts"
    write_contracts(contracts)
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        "LAKEHOUSE_PROJECT_DIR": str(contracts),
        "LAKEHOUSE_DATA_ROOT": str(root),
        "DAGSTER_HOME": str(home),
    }
    dagster = str(Path(sys.executable).parent / "dagster")
    base = [dagster, "asset", "materialize", "-m", "lakehouse_assets.definitions"]

    def materialize(key: str, day: str | None) -> None:
        command = [*base, "--select", key, *(["--partition", day] if day else [])]
        done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command[1:])} failed:\n{done.stderr[-4000:]}")

    return timed_steps([lambda k=key, d=day: materialize(k, d) for key, day in RUNS])


def warm_dagster() -> None:
    """One run of a trivial asset before the clock: Dagster imports its run and event storage
    (~0.5-0.7 s) at a process's first run, as the script's process starts its engine before
    its clock. A long-lived process pays this once; the CLI runner pays it on every run."""
    from dagster import asset, materialize

    @asset
    def warm_up() -> int:
        return 1

    assert materialize([warm_up], run_config=QUIET).success


def framework(root: Path) -> Times:
    """Each step as an in-process Dagster `materialize()` of the code location's assets."""
    from dagster import AssetsDefinition, materialize

    from lakehouse_assets.assets.factory import build_assets
    from lakehouse_assets.code_location import build_definitions
    from lakehouse_assets.project_loader import load_project_or_raise

    spark = local_engine()
    contracts = root / "contracts"
    write_contracts(contracts)
    project = load_project_or_raise(contracts, data_dir=root)
    defs = build_definitions(str(contracts), spark=spark, data_dir=str(root))
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    by_key = {a.key.to_user_string(): a for a in assets}
    resources = dict(defs.resources or {})
    warm_dagster()

    def run(key: str, day: str | None) -> None:
        result = materialize(
            assets,
            selection=[by_key[key].key],
            partition_key=day,
            resources=resources,
            run_config=QUIET,
        )
        assert result.success, key

    return timed_steps([lambda k=key, d=day: run(k, d) for key, day in RUNS])


def script(root: Path) -> Times:
    """What a data engineer writes by hand for the same tables, on the same engine."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    session = local_engine().get_session()
    landing = root / "landing" / "orders"
    bronze, silver = str(root / "bronze" / "orders_raw"), str(root / "silver" / "orders")

    def load_bronze(day: str) -> None:
        df = (
            session.read.schema(SCHEMA)
            .json(str(landing / f"dt={day}"))
            .withColumn("_ingested_at", F.current_timestamp())
            .withColumn("_ingested_date", F.lit(day).cast("date"))
            .withColumn("_source_file", F.lit(str(landing / f"dt={day}" / "part-0.json")))
        )
        if not (Path(bronze) / "_delta_log").exists():  # Sail: replaceWhere needs a table
            df.write.format("delta").partitionBy("_ingested_date").save(bronze)
            return
        writer = df.write.format("delta").mode("overwrite")
        writer.option("replaceWhere", f"_ingested_date = DATE'{day}'").save(bronze)

    def load_silver(day: str) -> None:
        rows = session.read.format("delta").load(bronze).where(f"_ingested_date = DATE'{day}'")
        latest = Window.partitionBy("order_id").orderBy(F.col("updated_at").desc_nulls_last())
        batch = rows.withColumn("_rn", F.row_number().over(latest)).where("_rn = 1")
        batch = batch.select(*SILVER)
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
        revenue.write.format("delta").mode("overwrite").save(str(root / "gold" / "revenue"))

    return day_steps(load_bronze, load_silver, gold)


def bronze_frame(root: Path, day: str) -> pl.DataFrame:
    """A landing day read by polars, with the framework's bronze columns."""
    import polars as pl

    file = root / "landing" / "orders" / f"dt={day}" / "part-0.json"
    return pl.read_ndjson(file).with_columns(
        pl.col("updated_at").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC"),
        pl.lit(datetime.now(timezone.utc)).cast(pl.Datetime("us", "UTC")).alias("_ingested_at"),
        pl.lit(date.fromisoformat(day)).alias("_ingested_date"),
        pl.lit(str(file)).alias("_source_file"),
    )


def latest_per_key(bronze: str, day: str) -> pl.DataFrame:
    """A bronze day's rows, one per order_id: the latest by updated_at."""
    import polars as pl
    from deltalake import DeltaTable

    table = DeltaTable(bronze).to_pyarrow_table(
        partitions=[("_ingested_date", "=", day)], columns=SILVER
    )
    rows = pl.from_arrow(table)
    assert isinstance(rows, pl.DataFrame)
    return rows.sort("updated_at", descending=True).unique("order_id", keep="first")


def revenue_frame(silver: str) -> pl.DataFrame:
    import polars as pl

    return (
        pl.read_delta(silver)
        .group_by("status")
        .agg(pl.len().cast(pl.Int64).alias("orders"), pl.col("amount").sum().alias("revenue"))
    )


def polars_deltars(root: Path) -> Times:
    """The same tables written with polars and delta-rs (no engine), for reference."""
    import polars  # noqa: F401  (imported before the clock starts, as the engines are started)
    from deltalake import DeltaTable, write_deltalake

    bronze, silver = str(root / "bronze" / "orders_raw"), str(root / "silver" / "orders")

    def load_bronze(day: str) -> None:
        frame = bronze_frame(root, day).to_arrow()
        if not (Path(bronze) / "_delta_log").exists():
            write_deltalake(bronze, frame, partition_by=["_ingested_date"])
            return
        write_deltalake(bronze, frame, mode="overwrite", predicate=f"_ingested_date = '{day}'")

    def load_silver(day: str) -> None:
        batch = latest_per_key(bronze, day).to_arrow()
        if not (Path(silver) / "_delta_log").exists():
            write_deltalake(silver, batch)
            return
        merge = DeltaTable(silver).merge(
            batch, "t.order_id = s.order_id", source_alias="s", target_alias="t"
        )
        merge = merge.when_matched_update_all("s.updated_at > t.updated_at")
        merge.when_not_matched_insert_all().execute()

    def gold() -> None:
        write_deltalake(str(root / "gold" / "revenue"), revenue_frame(silver).to_arrow())

    return day_steps(load_bronze, load_silver, gold)


def dlt_delta(root: Path) -> Times:
    """The same tables as dlt pipelines into its filesystem destination, `table_format="delta"`.

    One destination at `root`; a pipeline per layer whose dataset is the layer's folder, so the
    tables are root/bronze/orders_raw, root/silver/orders, root/gold/revenue (dlt adds its own
    _dlt_loads, _dlt_version and _dlt_pipeline_state beside them). Resources yield Arrow frames,
    dlt's fast path: `filesystem() | read_jsonl()` would yield Python dicts that dlt normalizes
    row by row. dlt's Delta `replace` overwrites the whole table, so bronze appends each day
    (each root is fresh; re-running a day would need a replace by partition dlt does not have).
    """
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import deltalake  # noqa: F401  (imported before the clock starts, as the engines are started)
    import dlt
    import polars  # noqa: F401

    destination = dlt.destinations.filesystem(bucket_url=str(root))
    bronze, silver = str(root / "bronze" / "orders_raw"), str(root / "silver" / "orders")

    def load(layer: str, data: Any) -> None:
        pipeline = dlt.pipeline(
            pipeline_name=f"orders_{layer}",
            pipelines_dir=str(root / ".dlt"),
            destination=destination,
            dataset_name=layer,
        )
        pipeline.run(data).raise_on_failed_jobs()

    @dlt.resource(
        name="orders_raw",
        table_format="delta",
        write_disposition="append",
        columns={"_ingested_date": {"partition": True}},
    )
    def orders_raw(day: str) -> Any:
        yield bronze_frame(root, day).to_arrow()

    # Upsert: delta-rs MERGE on the primary key. It needs the key unique in the batch (dlt
    # dedups only for delete-insert, which Delta tables do not have), hence latest_per_key; and
    # it has no sequence guard: a matched row is replaced whatever its updated_at. On this data
    # day 2's updates are all newer, so the result still equals the framework's.
    @dlt.resource(
        name="orders",
        table_format="delta",
        primary_key="order_id",
        write_disposition={"disposition": "merge", "strategy": "upsert"},
    )
    def orders(day: str) -> Any:
        yield latest_per_key(bronze, day).to_arrow()

    # Gold as dlt users do it: read silver with polars, load the aggregate with replace.
    @dlt.resource(name="revenue", table_format="delta", write_disposition="replace")
    def revenue() -> Any:
        yield revenue_frame(silver).to_arrow()

    return timed_steps(
        [
            lambda: load("bronze", orders_raw(DAY1)),
            lambda: load("silver", orders(DAY1)),
            lambda: load("bronze", orders_raw(DAY2)),
            lambda: load("silver", orders(DAY2)),
            lambda: load("gold", revenue()),
        ]
    )


@dataclass(frozen=True)
class Runner:
    title: str
    run: Callable[[Path], Times]
    tables: str  # the folder under each layer holding its tables ("" for none)


RUNNERS = {
    "cli": Runner("framework CLI", framework_cli, "shop"),
    "framework": Runner("framework in-process", framework, "shop"),
    "script": Runner("hand-written PySpark on Sail", script, ""),
    "polars": Runner("polars + delta-rs", polars_deltars, ""),
    "dlt": Runner("dlt (delta)", dlt_delta, ""),
}
RATIOS = {"in-process / script": ("framework", "script"), "CLI / script": ("cli", "script")}


# --- checks ---


def read_table(root: Path, runner: str, layer: str, name: str, columns: list[str]) -> pl.DataFrame:
    import polars as pl

    path = root / layer / RUNNERS[runner].tables / name
    return pl.read_delta(str(path), columns=columns).sort(columns[0])


def check_equal(roots: dict[str, Path], reference: str, other: str) -> None:
    """Silver equal row for row; gold's counts equal and its sums within float rounding."""
    expected = read_table(roots[reference], reference, "silver", "orders", SILVER)
    actual = read_table(roots[other], other, "silver", "orders", SILVER)
    actual = actual.cast(expected.schema)
    assert expected.equals(actual), f"silver of {other} differs from {reference}'s"
    left = read_table(roots[reference], reference, "gold", "revenue", GOLD)
    right = read_table(roots[other], other, "gold", "revenue", GOLD)
    assert left.select(GOLD[:2]).equals(right.select(GOLD[:2])), f"gold of {other} differs"
    for x, y in zip(left["revenue"], right["revenue"], strict=True):
        assert abs(x - y) < 1e-6 * max(1.0, abs(y)), f"gold revenue of {other} differs"


# --- running the runners in child processes ---


@dataclass
class Sample:
    times: Times
    peak_kib: int  # peak resident set size of the child and its descendants


def run_child(name: str, root: Path, log: Path) -> Sample:
    """Run one runner in a child process; wait4 gives its peak RSS (Linux: KiB)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--runner", name, "--root", str(root)]
    with log.open("w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        tail = log.read_text()[-4000:]
        raise RuntimeError(f"runner {name} exited with {child.returncode}:\n{tail}")
    result = json.loads((root / RESULT_FILE).read_text())
    return Sample(result["times"], max(usage.ru_maxrss, result["children_peak_kib"]))


def child_main(name: str, root: Path) -> None:
    times = RUNNERS[name].run(root)
    # Subprocesses the runner waited for (the CLI's dagster runs), as a second source of peak.
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    (root / RESULT_FILE).write_text(json.dumps({"times": times, "children_peak_kib": children}))


def selected(only: str | None) -> list[str]:
    names = list(RUNNERS) if only is None else [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in names if n not in RUNNERS]
    if unknown:
        raise SystemExit(f"--only: unknown runner(s) {unknown}; known: {', '.join(RUNNERS)}")
    if "dlt" in names and importlib.util.find_spec("dlt") is None:
        print("dlt (delta): skipped, dlt is not installed here (pip install -e '.[dev]')")
        names.remove("dlt")
    if not names:
        raise SystemExit("no runner to run: name at least one with --only")
    return names


def reference_runner(names: list[str]) -> str:
    """The runner whose results the others must equal: the in-process framework if run."""
    return "framework" if "framework" in names else names[0]


def repetition(names: list[str], n: int, base: Path, landing: Path) -> dict[str, Sample]:
    """Every runner once on a fresh folder (starting with a different one each repetition),
    then every result checked against the reference runner's."""
    order = names[n % len(names) :] + names[: n % len(names)]
    roots: dict[str, Path] = {}
    samples: dict[str, Sample] = {}
    for name in order:
        root = roots[name] = base / f"{name}{n}"
        shutil.copytree(landing, root / "landing", copy_function=os.link)
        sample = samples[name] = run_child(name, root, base / f"{name}{n}.log")
        total = sum(sample.times.values())
        print(f"run {n + 1}, {name}: {total:.2f} s, peak {gib(sample.peak_kib)}", file=sys.stderr)
    reference = reference_runner(names)
    for name in names:
        if name != reference:
            check_equal(roots, reference, name)
    for root in roots.values():
        shutil.rmtree(root)
    return samples


# --- the table ---


def gib(kib: float) -> str:
    return f"{kib / 2**20:.2f} GiB"


def print_table(args: argparse.Namespace, names: list[str], runs: list[dict[str, Sample]]) -> None:
    ratios = {label: pair for label, pair in RATIOS.items() if set(pair) <= set(names)}
    head = f"step ({args.rows:,} rows, day 2: {args.changed:,} updates + {args.changed:,} new)"
    titles = [RUNNERS[n].title for n in names] + list(ratios)
    print(f"| {head} | {' | '.join(titles)} |")
    print("|---" * (1 + len(titles)) + "|")
    medians = {n: {s: statistics.median(r[n].times[s] for r in runs) for s in STEPS} for n in names}
    for n in names:
        medians[n]["total"] = sum(medians[n][s] for s in STEPS)
    for step in [*STEPS, "total"]:
        cells = [f"{medians[n][step]:.2f} s" for n in names]
        cells += [f"{medians[a][step] / medians[b][step]:.1f}x" for a, b in ratios.values()]
        label = "**total**" if step == "total" else step
        print(f"| {label} | {' | '.join(cells)} |")
    peak = {n: max(r[n].peak_kib for r in runs) for n in names}
    cells = [gib(peak[n]) for n in names]
    cells += [f"{peak[a] / peak[b]:.1f}x" for a, b in ratios.values()]
    print(f"| peak RSS | {' | '.join(cells)} |")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help=f"comma list of runners: {','.join(RUNNERS)}")
    parser.add_argument("--runner", choices=list(RUNNERS), help=argparse.SUPPRESS)  # internal
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)  # internal
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.runner:
        child_main(args.runner, args.root)
        return
    names = selected(args.only)
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-day-") as tmp:
        base = Path(tmp)
        landing = base / "landing_source"
        write_landing(landing, args.rows, args.changed)
        runs = [repetition(names, n, base, landing) for n in range(args.repeat)]
    load_end = os.getloadavg()
    print_table(args, names, runs)
    print()
    reference = RUNNERS[reference_runner(names)].title
    checked = f"silver and gold of each runner checked equal to {reference}'s after every run"
    print(f"Medians of {args.repeat}; {checked if len(names) > 1 else 'one runner: no check'}.")
    print(
        "Load average (1, 5, 15 min): start "
        + ", ".join(f"{x:.2f}" for x in load_start)
        + "; end "
        + ", ".join(f"{x:.2f}" for x in load_end)
    )


if __name__ == "__main__":
    main()
