"""Users' own assets stored by the Delta IO manager (README "Your own assets with the Delta IO
manager"): real Dagster runs of plain `@asset`s returning pyarrow, pandas, polars and Spark
frames into real Delta tables, read back independently with delta-rs; downstream assets load
them as Arrow, pandas, polars or Spark; every mistake is one line naming the metadata key."""

from __future__ import annotations

import json
import re
import runpy
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from dagster import (
    AssetIn,
    AssetKey,
    AssetsDefinition,
    DailyPartitionsDefinition,
    asset,
    materialize,
)
from deltalake import DeltaTable

from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.assets.names import DefinitionNames
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.io.user_tables import (
    DELETE_WHEN,
    MERGE_KEYS,
    PARTITION_COLUMN,
    SEQUENCE_BY,
    WRITE_MODE,
)
from lakehouse_assets.project_loader import load_project_or_raise
from tests.conftest import REPO, write_contract_folder
from tests.helpers import QUIET, delta_rows, environment, orders_pipeline, run_assets

DAY1, DAY2 = "2024-01-01", "2024-01-02"
IO_MANAGER_KEY = DefinitionNames().io_manager
DAILY = DailyPartitionsDefinition(start_date=DAY1)
CONFIG = {
    "EXECUTION_ENVIRONMENT": "local",
    "PARTITION_START_DATE": DAY1,
    "environments": {"local": environment()},
}
ORDER_COLS = [
    {"name": "order_id", "type": "BIGINT", "nullable": False},
    {"name": "amount", "type": "DOUBLE"},
    {"name": "updated_at", "type": "TIMESTAMP"},
]
README_BLOCK = re.compile(r"<!-- user-assets:run (\S+) -->\n```python\n(.*?)```", re.S)


@pytest.fixture
def project(tmp_path: Path, data_root: Path):
    """A project with bronze -> silver orders, for its environment (and one contract upstream)."""
    root = write_contract_folder(
        tmp_path / "contracts", {"config.json": json.dumps(CONFIG), **orders_pipeline(ORDER_COLS)}
    )
    return load_project_or_raise(str(root))


@pytest.fixture
def resources(project, spark_resource) -> dict[str, Any]:
    """The code location's own `delta_io_manager` and `spark` resources."""
    return dict(build_definitions(str(project.root), spark=spark_resource).resources or {})


def _run(
    resources: dict[str, Any],
    assets: list[Any],
    partition: str | None = None,
    select: list[Any] | None = None,
    raise_on_error: bool = True,
) -> Any:
    return materialize(
        assets,
        resources=resources,
        partition_key=partition,
        selection=select,
        run_config=QUIET,
        raise_on_error=raise_on_error,
    )


def _meta(result: Any, node: str) -> dict[str, Any]:
    """The node's one materialization's metadata, as plain values."""
    [event] = result.asset_materializations_for_node(node)
    return {k: getattr(v, "value", v) for k, v in event.metadata.items()}


def _path(project, *key: str) -> Path:
    """The documented default: <paths.gold>/user/<asset key parts>."""
    return Path(project.environment.paths["gold"], "user", *key)


def _rows(path: Path, order: tuple[str, ...] = ("id",)) -> list[dict[str, Any]]:
    return sorted(delta_rows(path), key=lambda r: tuple(r[c] for c in order))


def _failure(result: Any) -> str:
    assert not result.success
    [event] = result.get_step_failure_events()
    data = event.step_failure_data.user_failure_data
    assert data is not None, event.step_failure_data.error
    return data.description


# --- writes -----------------------------------------------------------------------------------


def test_overwrite_replaces_and_append_adds_arrow(project, resources):
    batch = {"rows": pa.table({"id": [1, 2], "v": ["a", "b"]})}

    @asset(io_manager_key=IO_MANAGER_KEY)
    def scores() -> pa.Table:
        return batch["rows"]

    @asset(io_manager_key=IO_MANAGER_KEY, metadata={WRITE_MODE: "append"})
    def events() -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(batch["rows"].schema, batch["rows"].to_batches())

    result = _run(resources, [scores, events])
    assert _rows(_path(project, "scores")) == [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]
    meta = _meta(result, "scores")
    assert meta["dagster/row_count"] == 2
    assert meta["dagster/uri"] == str(_path(project, "scores"))
    assert meta["delta_version"] == 0 and meta["write_mode"] == "overwrite"
    assert [c.name for c in meta["dagster/column_schema"].columns] == ["id", "v"]

    # The next batch has a new column: overwrite makes it the table, append adds the column.
    batch["rows"] = pa.table({"id": [3], "v": ["c"], "extra": [True]})
    result = _run(resources, [scores, events])
    assert _rows(_path(project, "scores")) == [{"id": 3, "v": "c", "extra": True}]
    assert _rows(_path(project, "events")) == [
        {"id": 1, "v": "a", "extra": None},
        {"id": 2, "v": "b", "extra": None},
        {"id": 3, "v": "c", "extra": True},
    ]
    meta = _meta(result, "events")
    assert meta["dagster/row_count"] == 3 and meta["rows_written"] == 1
    assert meta["delta_version"] == DeltaTable(str(_path(project, "events"))).version() == 1


def test_merge_upserts_by_keys_pandas(project, resources):
    batch = {"rows": pd.DataFrame({"id": [1, 2, 3], "name": ["ann", "bob", "cid"]})}

    @asset(io_manager_key=IO_MANAGER_KEY, metadata={WRITE_MODE: "merge", MERGE_KEYS: "id"})
    def customers() -> pd.DataFrame:
        return batch["rows"]

    path = _path(project, "customers")
    meta = _meta(_run(resources, [customers]), "customers")
    assert (meta["rows_inserted"], meta["rows_updated"], meta["dagster/row_count"]) == (3, 0, 3)

    # bob renamed, cid unchanged, dan new.
    batch["rows"] = pd.DataFrame({"id": [2, 3, 4], "name": ["bobby", "cid", "dan"]})
    meta = _meta(_run(resources, [customers]), "customers")
    assert (meta["rows_inserted"], meta["rows_updated"], meta["rows_deleted"]) == (1, 1, 0)
    assert meta["dagster/row_count"] == 4
    assert _rows(path) == [
        {"id": 1, "name": "ann"},
        {"id": 2, "name": "bobby"},
        {"id": 3, "name": "cid"},
        {"id": 4, "name": "dan"},
    ]
    version = DeltaTable(str(path)).version()
    assert meta["delta_version"] == version

    # The same batch again changes nothing and commits nothing.
    meta = _meta(_run(resources, [customers]), "customers")
    assert (meta["rows_inserted"], meta["rows_updated"]) == (0, 0)
    assert DeltaTable(str(path)).version() == version == meta["delta_version"]


def test_sequence_guarded_merge_with_deletes_polars(project, resources):
    columns = ["region", "id", "version", "name", "op"]
    batch: dict[str, list[tuple[Any, ...]]] = {
        "rows": [  # within a batch the greatest version of a key wins, whatever its position
            ("eu", 1, 1, "a", "U"),
            ("eu", 1, 3, "c", "U"),
            ("eu", 1, 2, "b", "U"),
            ("us", 1, 1, "x", "U"),
            ("eu", 2, 5, "keep", "U"),
        ]
    }

    @asset(
        io_manager_key=IO_MANAGER_KEY,
        metadata={
            WRITE_MODE: "merge",
            MERGE_KEYS: ["region", "id"],
            SEQUENCE_BY: "version",
            DELETE_WHEN: "s.op = 'D'",
        },
    )
    def accounts() -> Any:
        return pl.DataFrame(batch["rows"], schema=columns, orient="row")

    path = _path(project, "accounts")

    def state() -> list[tuple[Any, ...]]:
        return [tuple(r[c] for c in columns[:4]) for r in _rows(path, ("region", "id"))]

    meta = _meta(_run(resources, [accounts]), "accounts")
    assert (meta["merge_source_rows"], meta["merge_batch_keys"], meta["rows_inserted"]) == (5, 3, 3)
    assert state() == [("eu", 1, 3, "c"), ("eu", 2, 5, "keep"), ("us", 1, 1, "x")]

    batch["rows"] = [
        ("eu", 1, 2, "stale", "U"),  # older than the table's version 3: ignored
        ("us", 1, 2, "y", "U"),  # newer: applied
        ("eu", 2, 4, None, "D"),  # a stale delete: ignored
        ("eu", 9, 1, None, "D"),  # a delete of a key the table lacks: not inserted
    ]
    meta = _meta(_run(resources, [accounts]), "accounts")
    assert (meta["rows_updated"], meta["rows_deleted"], meta["rows_inserted"]) == (1, 0, 0)
    assert state() == [("eu", 1, 3, "c"), ("eu", 2, 5, "keep"), ("us", 1, 2, "y")]

    batch["rows"] = [("eu", 2, 6, None, "D"), ("us", 1, 2, "y2", "U")]  # equal version: wins
    meta = _meta(_run(resources, [accounts]), "accounts")
    assert (meta["rows_updated"], meta["rows_deleted"], meta["dagster/row_count"]) == (1, 1, 2)
    assert state() == [("eu", 1, 3, "c"), ("us", 1, 2, "y2")]


@asset(partitions_def=DAILY, io_manager_key=IO_MANAGER_KEY, metadata={PARTITION_COLUMN: "day"})
def visits(context, spark: SparkResource) -> Any:
    """A Spark DataFrame without its partition column: the IO manager fills it in."""
    n = 2 if context.partition_key == DAY1 else 3
    return spark.get_session().range(n).selectExpr("id", f"'{context.partition_key}' AS label")


def test_partitioned_spark_asset_rerun_replaces_its_partition(project, resources):
    path = _path(project, "visits")
    _run(resources, [visits], DAY1)
    _run(resources, [visits], DAY2)
    meta = _meta(_run(resources, [visits], DAY1), "visits")  # the same partition again
    assert meta["dagster/partition_row_count"] == 2 and meta["dagster/row_count"] == 5
    assert meta["partitions"] == DAY1 and meta["delta_version"] == 2
    rows = delta_rows(path)
    assert sorted((r["day"], r["id"]) for r in rows) == [
        (date(2024, 1, 1), 0),
        (date(2024, 1, 1), 1),
        (date(2024, 1, 2), 0),
        (date(2024, 1, 2), 1),
        (date(2024, 1, 2), 2),
    ]
    assert DeltaTable(str(path)).metadata().partition_columns == ["day"]


# --- reads ------------------------------------------------------------------------------------


def test_downstream_user_assets_load_arrow_pandas_polars_and_spark(project, resources):
    _run(resources, [visits], DAY1)
    _run(resources, [visits], DAY2)
    seen: dict[str, Any] = {}

    @asset(partitions_def=DAILY, io_manager_key=IO_MANAGER_KEY, metadata={PARTITION_COLUMN: "day"})
    def visit_count(visits: pa.Table) -> pa.Table:
        seen["arrow"] = visits
        return pa.table({"visits": [visits.num_rows]})

    @asset(io_manager_key=IO_MANAGER_KEY)
    def visits_by_day(visits) -> Any:  # no annotation: a Spark DataFrame, as contract inputs
        seen["spark"] = visits
        return visits.groupBy("day").count()

    @asset
    def as_pandas(visits: pd.DataFrame) -> None:
        seen["pandas"] = visits

    @asset
    def as_polars(visits: pl.DataFrame) -> None:
        seen["polars"] = visits

    _run(resources, [visits, visit_count], DAY2, select=[visit_count])
    assert isinstance(seen["arrow"], pa.Table)
    assert seen["arrow"].num_rows == 3  # only its partition's rows
    assert delta_rows(_path(project, "visit_count")) == [{"visits": 3, "day": date(2024, 1, 2)}]

    _run(
        resources,
        [visits, visits_by_day, as_pandas, as_polars],
        select=[visits_by_day, as_pandas, as_polars],
    )
    from pyspark.sql import DataFrame

    assert isinstance(seen["spark"], DataFrame)
    assert sorted((r["day"], r["count"]) for r in delta_rows(_path(project, "visits_by_day"))) == [
        (date(2024, 1, 1), 2),
        (date(2024, 1, 2), 3),
    ]
    assert isinstance(seen["pandas"], pd.DataFrame) and len(seen["pandas"]) == 5
    assert isinstance(seen["polars"], pl.DataFrame) and seen["polars"].height == 5


def test_user_asset_loads_a_contract_table_as_arrow(project, resources, spark_resource):
    folder = Path(project.environment.paths["landing"]) / "orders"
    for day, ids in ((DAY1, [1, 2]), (DAY2, [3])):
        (folder / f"dt={day}").mkdir(parents=True)
        lines = [{"order_id": i, "amount": 1.5 * i, "updated_at": f"{day}T10:00:00"} for i in ids]
        (folder / f"dt={day}" / "part-0.json").write_text(
            "".join(json.dumps(r) + "\n" for r in lines)
        )
    for day in (DAY1, DAY2):
        run_assets(project, spark_resource, ["bronze/shop/orders_raw"], day)
    contract_assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]

    @asset(
        partitions_def=DAILY,
        io_manager_key=IO_MANAGER_KEY,
        ins={"orders": AssetIn(key=AssetKey(["bronze", "shop", "orders_raw"]))},
        metadata={PARTITION_COLUMN: "day"},
    )
    def order_ids(orders: pa.Table) -> pa.Table:
        return orders.select(["order_id"])

    _run(resources, [*contract_assets, order_ids], DAY1, select=[order_ids])
    assert _rows(_path(project, "order_ids"), ("order_id",)) == [
        {"order_id": 1, "day": date(2024, 1, 1)},
        {"order_id": 2, "day": date(2024, 1, 1)},
    ]


# --- errors: one line naming the asset, the metadata key and the fix --------------------------


def _frame() -> pa.Table:
    return pa.table({"id": [1, None], "v": ["a", "b"]})


@pytest.mark.parametrize(
    ("metadata", "value", "expected"),
    [
        (
            {WRITE_MODE: "merge"},
            _frame,
            "broken: lakehouse/write_mode 'merge' needs lakehouse/merge_keys; add "
            "lakehouse/merge_keys: ['<column>'] (the columns that identify a row) to the "
            "asset's metadata",
        ),
        (
            {WRITE_MODE: "merge", MERGE_KEYS: "id, customer_id"},
            _frame,
            "broken: lakehouse/merge_keys names 'customer_id', which the output lacks (its "
            "columns: id, v); fix lakehouse/merge_keys or add the column",
        ),
        (
            {WRITE_MODE: "merge", MERGE_KEYS: ["id"]},
            _frame,
            "broken: 1 rows have a null lakehouse/merge_keys value (id); a null key matches "
            "nothing and would be inserted again on every run: drop or fill those rows",
        ),
        (
            {WRITE_MODE: "upsert"},
            _frame,
            "broken: lakehouse/write_mode 'upsert' is not one of overwrite, append, merge; "
            "fix the asset's metadata",
        ),
        (
            {"lakehouse/merge_key": "id"},
            _frame,
            "broken: unknown metadata key 'lakehouse/merge_key'; the Delta IO manager reads "
            "lakehouse/write_mode, lakehouse/merge_keys, lakehouse/sequence_by, "
            "lakehouse/delete_when, lakehouse/path, lakehouse/partition_column",
        ),
        (
            {SEQUENCE_BY: "v"},
            _frame,
            "broken: lakehouse/sequence_by applies to lakehouse/write_mode 'merge' only (this "
            "asset's is 'overwrite'); set lakehouse/write_mode: merge or remove "
            "lakehouse/sequence_by",
        ),
        (
            {},
            lambda: {"id": [1]},
            "broken: the Delta IO manager cannot store a builtins.dict; return a Spark "
            "DataFrame, a pyarrow Table or RecordBatchReader, a pandas or a polars DataFrame "
            "(or a contract asset's TableWrite), or give the asset another io_manager_key",
        ),
    ],
    ids=[
        "merge-no-keys",
        "key-missing",
        "null-key",
        "bad-mode",
        "unknown-key",
        "merge-only",
        "unsupported-type",
    ],
)
def test_mistakes_fail_in_one_line(project, resources, metadata, value, expected):
    @asset(io_manager_key=IO_MANAGER_KEY, metadata=metadata)
    def broken() -> Any:
        return value()

    assert _failure(_run(resources, [broken], raise_on_error=False)) == expected
    assert not _path(project, "broken").exists()  # nothing written


def test_partition_mistakes_fail_in_one_line(project, resources):
    @asset(partitions_def=DAILY, io_manager_key=IO_MANAGER_KEY)
    def no_column() -> pa.Table:
        return pa.table({"id": [1]})

    @asset(partitions_def=DAILY, io_manager_key=IO_MANAGER_KEY, metadata={PARTITION_COLUMN: "day"})
    def stray() -> pa.Table:
        return pa.table({"id": [1, 2], "day": [date(2024, 1, 1), date(2024, 1, 2)]})

    assert _failure(_run(resources, [no_column], DAY1, raise_on_error=False)) == (
        "no_column: a partitioned asset needs lakehouse/partition_column, the column that "
        "holds the partition key (filled in when the output lacks it); add it to the metadata"
    )
    assert _failure(_run(resources, [stray], DAY1, raise_on_error=False)) == (
        "stray: 1 rows have a lakehouse/partition_column 'day' outside the run's partitions "
        "(2024-01-01); filter them out or fix the column"
    )
    assert not _path(project, "stray").exists()


def test_reading_a_user_asset_never_materialized_names_it(project, resources):
    @asset(io_manager_key=IO_MANAGER_KEY, metadata={"lakehouse/path": "elsewhere/upstream"})
    def upstream() -> pa.Table:
        return pa.table({"id": [1]})

    @asset
    def downstream(upstream: pa.Table) -> None:
        pass

    result = _run(resources, [upstream, downstream], select=[downstream], raise_on_error=False)
    missing = Path(project.environment.paths["gold"]).parent / "elsewhere" / "upstream"
    assert _failure(result) == (
        f"downstream: upstream upstream never materialized (no Delta table at {missing}); "
        "materialize it first (--select upstream)"
    )
    _run(resources, [upstream])  # lakehouse/path, relative: under the data root
    assert delta_rows(missing) == [{"id": 1}]
    assert _run(resources, [upstream, downstream], select=[downstream]).success


# --- the README's example, run as written -----------------------------------------------------


@pytest.fixture
def readme_module(tmp_path: Path, project, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = dict(README_BLOCK.findall(text))
    assert set(blocks) == {"my_assets.py"}
    code = tmp_path / "code"
    code.mkdir()
    (code / "my_assets.py").write_text(blocks["my_assets.py"], encoding="utf-8")
    monkeypatch.setenv("LAKEHOUSE_PROJECT_DIR", str(project.root))
    yield code / "my_assets.py"
    sys.modules.pop("my_assets", None)


def test_readme_example_upserts(project, readme_module: Path):
    module = runpy.run_path(str(readme_module))
    defs, assets = module["defs"], [module["customer_scores"], module["top_customers"]]
    resources = dict(defs.resources or {})
    path = _path(project, "customer_scores")
    result = materialize(assets, resources=resources, run_config=QUIET)
    meta = _meta(result, "customer_scores")
    assert (meta["merge_source_rows"], meta["rows_inserted"], meta["dagster/row_count"]) == (
        3,
        2,
        2,
    )
    assert _rows(path, ("customer_id",)) == [
        {"customer_id": 1, "score": 0.9, "updated_at": 2},
        {"customer_id": 2, "score": 0.4, "updated_at": 1},
    ]
    assert delta_rows(_path(project, "top_customers")) == [
        {"customer_id": 1, "score": 0.9, "updated_at": 2}
    ]
    again = _meta(materialize(assets, resources=resources, run_config=QUIET), "customer_scores")
    assert (again["rows_inserted"], again["rows_updated"]) == (0, 0)
