"""A bronze table holding edge values stays readable by every Delta reader, and values no
reader can hold (years outside 0001-9999) go to quarantine instead.

Landing JSON with dates and timestamps at the edges, a DECIMAL at its full precision, NaN and
±Infinity doubles, empty, unicode and 1 MB strings, and a deeply nested value, loaded by a real
bronze run, then read back by the engine, delta-rs, a pyarrow dataset over the table, polars and
DuckDB's delta extension: every reader returns the same rows."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.project_loader import load_project
from tests.conftest import write_contract_folder
from tests.helpers import delta_rows, run_assets, table_path

DAY = "2024-01-01"
KEY = "bronze/edge/values_raw"
NESTED = "STRUCT<a: ARRAY<STRUCT<b: ARRAY<ARRAY<INT>>, c: STRING>>, d: STRUCT<e: STRUCT<f: DATE>>>"
COLUMNS = [
    ("id", "BIGINT"),
    ("d", "DATE"),
    ("ts", "TIMESTAMP"),
    ("tn", "TIMESTAMP_NTZ"),
    ("amount", "DECIMAL(38,18)"),
    ("x", "DOUBLE"),
    ("s", "STRING"),
    ("deep", NESTED),
]
DEC_MAX = "99999999999999999999.999999999999999999"  # 38 digits
MEGA = "é" * 500_000  # 1 MB of UTF-8
UNICODE = "ñandú 漢字 🙂 \u200b \\ \" '"


def _deep(day: str) -> dict:
    return {
        "a": [{"b": [[1, 2], [], [None]], "c": "x"}, {"b": None, "c": ""}],
        "d": {"e": {"f": day}},
    }


GOOD = [
    {
        "id": 1,
        "d": "0001-01-01",
        "ts": "0001-01-01T00:00:00",
        "tn": "0001-01-01T00:00:00",
        "amount": "-" + DEC_MAX,
        "x": "NaN",
        "s": "",
        "deep": _deep("0001-01-01"),
    },
    {
        "id": 2,
        "d": "9999-12-31",
        "ts": "9999-12-31T23:59:59.999999",
        "tn": "9999-12-31T23:59:59.999999",
        "amount": DEC_MAX,
        "x": "Infinity",
        "s": UNICODE,
        "deep": _deep("9999-12-31"),
    },
    {"id": 3, "x": "-Infinity", "s": MEGA, "deep": {"a": [], "d": None}},
    {
        "id": 4,
        "d": None,
        "ts": None,
        "tn": None,
        "amount": None,
        "x": None,
        "s": None,
        "deep": None,
    },
]
# Each: (record, reason in quarantine).
OUT_OF_RANGE = [
    ({"id": 10, "d": "10000-01-01"}, "d: '10000-01-01' is not DATE"),
    ({"id": 11, "d": "0000-12-31"}, "d: '0000-12-31' is not DATE"),
    ({"id": 12, "ts": "10000-01-01T00:00:00"}, "ts: '10000-01-01T00:00:00' is not TIMESTAMP"),
    (
        {"id": 13, "ts": "9999-12-31T23:00:00-05:00"},  # year 10000 in UTC
        "ts: '9999-12-31T23:00:00-05:00' is not TIMESTAMP",
    ),
    ({"id": 14, "tn": "0000-12-31T23:59:59"}, "tn: '0000-12-31T23:59:59' is not TIMESTAMP_NTZ"),
    ({"id": 15, "amount": "1" + DEC_MAX}, f"amount: '1{DEC_MAX}' is not DECIMAL(38,18)"),
]
NESTED_OUT = (
    {"id": 16, "deep": _deep("10000-01-01")},  # the value as the landing file writes it
    f"deep: '{json.dumps(_deep('10000-01-01'))}' is not {NESTED}",
)


@pytest.fixture
def edge(tmp_path: Path, data_root: Path):
    paths = {"landing": "landing", "bronze": "bronze", "ops": "ops"}
    root = write_contract_folder(
        tmp_path / "contracts",
        {
            "config.json": json.dumps(
                {
                    "EXECUTION_ENVIRONMENT": "local",
                    "environments": {
                        "local": {
                            "env": "local",
                            "env_short": "l",
                            "catalogs": {"bronze": "bronze"},
                            "paths": paths,
                        }
                    },
                }
            ),
            "tables/bronze/values_raw.json": json.dumps(
                {
                    "catalog": "{catalog.bronze}",
                    "schema": "edge",
                    "name": "values_raw",
                    "columns": [{"name": n, "type": t} for n, t in COLUMNS],
                }
            ),
            "ingestion/batch/values.json": json.dumps(
                {
                    "name": "values",
                    "ingest_type": "batch",
                    "load_type": "incremental",
                    "source": {"format": "json", "path": "{path.landing}/values"},
                    "destination_contract": "../../tables/bronze/values_raw.json",
                }
            ),
        },
    )
    project = load_project(root)
    folder = Path(project.environment.paths["landing"]) / "values" / f"dt={DAY}"
    folder.mkdir(parents=True)
    records = [*GOOD, *(r for r, _ in [*OUT_OF_RANGE, NESTED_OUT])]
    (folder / "part-0.json").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return project


def _plain(value: Any) -> Any:
    """One form for every reader: NaN comparable, datetimes naive UTC, rows as dicts."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _by_id(rows: list[dict]) -> dict[int, dict]:
    return {r["id"]: {k: _plain(v) for k, v in r.items() if k in dict(COLUMNS)} for r in rows}


def _engine(path: str, spark) -> list[dict]:
    return [r.asDict(recursive=True) for r in spark.read.format("delta").load(path).collect()]


def _deltars(path: str, spark) -> list[dict]:
    return delta_rows(path)


def _pyarrow_dataset(path: str, spark) -> list[dict]:
    from deltalake import DeltaTable

    return DeltaTable(path).to_pyarrow_dataset().to_table().to_pylist()


def _polars(path: str, spark) -> list[dict]:
    import polars as pl

    return pl.read_delta(path).to_dicts()


def _duckdb(path: str, spark) -> list[dict]:
    """DuckDB cannot download its delta extension here: the duckdb-ext-delta wheel carries it."""
    duckdb = pytest.importorskip("duckdb")
    try:
        import duckdb_ext  # type: ignore[import-not-found]
    except ImportError:
        pytest.skip("duckdb's delta extension: pip install duckdb-ext-delta (same version)")
    ext = (
        Path(next(iter(duckdb_ext.__path__)))
        / "extensions"
        / f"v{duckdb.__version__}"
        / "linux_amd64"
        / "delta.duckdb_extension"
    )
    if not ext.exists():
        pytest.skip(f"no delta extension for duckdb {duckdb.__version__} at {ext}")
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    return con.execute("SELECT * FROM delta_scan(?)", [path]).arrow().read_all().to_pylist()


READERS: dict[str, Callable[[str, Any], list[dict]]] = {
    "engine": _engine,
    "delta-rs": _deltars,
    "pyarrow-dataset": _pyarrow_dataset,
    "polars": _polars,
    "duckdb": _duckdb,
}


@pytest.fixture
def loaded(edge, spark_resource):
    assert run_assets(edge, spark_resource, [KEY], DAY).success
    return edge


def _expected() -> dict[int, dict]:
    utc = timezone.utc
    deep_low = {
        "a": [{"b": [[1, 2], [], [None]], "c": "x"}, {"b": None, "c": ""}],
        "d": {"e": {"f": date(1, 1, 1)}},
    }
    deep_high = {**deep_low, "d": {"e": {"f": date(9999, 12, 31)}}}
    return {
        1: {
            "id": 1,
            "d": date(1, 1, 1),
            "ts": datetime(1, 1, 1),
            "tn": datetime(1, 1, 1),
            "amount": Decimal("-" + DEC_MAX),
            "x": "NaN",
            "s": "",
            "deep": deep_low,
        },
        2: {
            "id": 2,
            "d": date(9999, 12, 31),
            "ts": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=utc).replace(tzinfo=None),
            "tn": datetime(9999, 12, 31, 23, 59, 59, 999999),
            "amount": Decimal(DEC_MAX),
            "x": math.inf,
            "s": UNICODE,
            "deep": deep_high,
        },
        3: {
            "id": 3,
            "d": None,
            "ts": None,
            "tn": None,
            "amount": None,
            "x": -math.inf,
            "s": MEGA,
            "deep": {"a": [], "d": None},
        },
        4: {
            "id": 4,
            "d": None,
            "ts": None,
            "tn": None,
            "amount": None,
            "x": None,
            "s": None,
            "deep": None,
        },
    }


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_reads_the_same_rows(loaded, spark, reader):
    path = str(table_path(loaded, KEY))
    assert _by_id(READERS[reader](path, spark)) == _expected()


def test_out_of_range_values_are_quarantined_with_their_reason(loaded):
    path = str(table_path(loaded, KEY)) + "_quarantine"
    reasons = {json.loads(r["_raw"])["id"]: r["_quarantine_reason"] for r in delta_rows(path)}
    # The nested one: the engine's cast into a nested type already nulls such a leaf.
    assert reasons == {r["id"]: reason for r, reason in [*OUT_OF_RANGE, NESTED_OUT]}


def test_json_numbers_keep_every_digit(edge, spark_resource):
    """A JSON number is typed from its own text: the engine's from_json goes through a float
    first, which turned this DECIMAL(38,18) into 12345678901234568 and moved the DOUBLE by
    one unit in the last place."""
    folder = Path(edge.environment.paths["landing"]) / "values" / f"dt={DAY}"
    with (folder / "part-0.json").open("a", encoding="utf-8") as out:
        out.write(
            '{"id": 20, "amount": 12345678901234567.890000000000000001, '
            '"x": 90.28571428571429, "s": 12345678901234567890}\n'
        )
    run_assets(edge, spark_resource, [KEY], DAY)
    row = _by_id(delta_rows(table_path(edge, KEY)))[20]
    assert row["amount"] == Decimal("12345678901234567.890000000000000001")
    assert row["x"] == 90.28571428571429
    assert row["s"] == "12345678901234567890"
