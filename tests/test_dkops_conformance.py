"""A contract folder written from the DKOps format's documentation (tests/conformance/), run
unchanged: declared framework columns, Spark read options, every file format the embedded
engine reads, nested types, defaults, a silver filter and select_expr. Rows are asserted
exactly, as delta-rs (an independent reader) reads them back."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from lakehouse_assets.assets.bronze import manifest_for
from lakehouse_assets.project_loader import load_project
from tests.helpers import delta_rows, run_assets, run_command, table_path

HERE = Path(__file__).parent / "conformance"
DAY = "2024-03-01"
BRONZE = [
    "bronze/retail/orders_raw",
    "bronze/retail/products_raw",
    "bronze/retail/stores_raw",
    "bronze/retail/audit_raw",
]
SILVER = ["silver/retail/orders_current", "silver/retail/products_current"]
UTC = timezone.utc


def _write_stores(folder: Path) -> None:
    """The parquet export: store_id as INT32 (the contract says LONG), no region column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "store_id": pa.array([1, 2], pa.int32()),
                "city": ["Madrid", "Lima"],
                "opened": pa.array([datetime(2020, 5, 1, 8, 0), None], pa.timestamp("us")),
                "manager": [{"name": "Rosa", "since": date(2021, 1, 1)}, None],
                "logo": pa.array([b"\x89PNG", None], pa.binary()),
            }
        ),
        folder / "stores.parquet",
    )


@pytest.fixture
def retail(tmp_path: Path, data_root: Path):
    shutil.copytree(HERE / "dkops_retail", tmp_path / "contracts")
    shutil.copytree(HERE / "landing", data_root / "landing")
    _write_stores(data_root / "landing" / "stores" / f"dt={DAY}")
    return load_project(tmp_path / "contracts")


@pytest.fixture
def built(retail, spark_resource):
    result = run_assets(retail, spark_resource, BRONZE + SILVER, DAY)
    return retail, result


def _rows(project, key: str, drop: tuple[str, ...] = ("_ingested_at",)) -> list[dict]:
    rows = delta_rows(table_path(project, key))
    return sorted(
        ({k: v for k, v in r.items() if k not in drop} for r in rows),
        key=lambda r: [str(v) for v in r.values()],
    )


def _landing(project, name: str) -> str:
    return str(Path(project.environment.paths["landing"]) / name / f"dt={DAY}")


def test_folder_validates_with_zero_errors(retail):
    assert [str(i) for i in retail.issues] == [
        "info: ingestion/batch/products_full.json: source.options.inferSchema: accepted and "
        "ignored: the contract's columns are the schema (fix: remove it)",
        "info: ingestion/batch/stores_full.json: source.options.mergeSchema: accepted and "
        "ignored: the contract's columns are the schema (fix: remove it)",
    ]
    done = run_command([sys.executable, "-m", "lakehouse_assets.cli", "validate", str(retail.root)])
    assert done.returncode == 0, done.stderr
    assert "6 assets, 0 tables not built, 0 errors, 0 warnings" in done.stdout


def test_json_multiline_comments_nested_defaults_and_timestamp_format(built):
    project, _ = built
    orders = _landing(project, "orders")
    a, b = f"{orders}/orders_a.json", f"{orders}/orders_b.json"
    at = {"_ingested_date": date(2024, 3, 1), "_rescued_data": None}
    assert _rows(project, "bronze/retail/orders_raw") == [
        {
            "order_id": "o-1",
            "customer": {"id": 10, "name": "Ana"},
            "items": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}],
            "amount": Decimal("25.50"),
            "channel": "app",
            "op_type": "I",
            "updated_at": datetime(2024, 3, 1, 9, tzinfo=UTC),
            **at,
            "_source_file": a,
        },
        {
            "order_id": "o-1",
            "customer": {"id": 10, "name": "Ana"},
            "items": [{"sku": "A", "qty": 3}],
            "amount": Decimal("30.00"),
            "channel": "app",
            "op_type": "U",
            "updated_at": datetime(2024, 3, 1, 11, tzinfo=UTC),
            **at,
            "_source_file": b,
        },
        # channel is absent from both o-2 events: the column default 'web' fills it.
        {
            "order_id": "o-2",
            "customer": None,
            "items": None,
            "amount": None,
            "channel": "web",
            "op_type": "D",
            "updated_at": datetime(2024, 3, 1, 12, tzinfo=UTC),
            **at,
            "_source_file": b,
        },
        {
            "order_id": "o-2",
            "customer": {"id": 11, "name": "Luis"},
            "items": [],
            "amount": Decimal("10.00"),
            "channel": "web",
            "op_type": "I",
            "updated_at": datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
            **at,
            "_source_file": a,
        },
        {
            "order_id": "o-3",
            "customer": {"id": 12, "name": "Test"},
            "items": [{"sku": "C", "qty": 1}],
            "amount": Decimal("1.00"),
            "channel": "test",
            "op_type": "I",
            "updated_at": datetime(2024, 3, 1, 10, tzinfo=UTC),
            **at,
            "_source_file": a,  # a field the contract does not declare is kept, as JSON text
            "_rescued_data": '{"coupon":"{\\"code\\":\\"TEST10\\",\\"pct\\":10}"}',
        },
    ]
    quarantined = delta_rows(f"{table_path(project, 'bronze/retail/orders_raw')}_quarantine")
    assert [
        (q["order_id"], q["_quarantine_reason"], q["_source_file"], q["_line"]) for q in quarantined
    ] == [
        (
            "o-4",
            'items: \'[{"sku": "D", "qty": "many"}]\' is not ARRAY<STRUCT<sku: STRING, qty: INT>>',
            b,
            17,
        )
    ]
    assert quarantined[0]["_raw"].startswith('{   "order_id": "o-4",')


def test_csv_by_header_name_with_quotes_nulls_encoding_and_defaults(built):
    project, _ = built
    products = _landing(project, "products")
    one, two = f"{products}/products_1.csv", f"{products}/products_2.csv"
    at = {"_ingested_date": date(2024, 3, 1), "_rescued_data": None}
    assert _rows(project, "bronze/retail/products_raw") == [
        {
            "product_id": 1,
            "name": "Café; molido",
            "price": Decimal("4.50"),
            "launched": date(2024, 2, 1),
            "category": "Drinks",
            **at,
            "_source_file": one,
        },
        {
            "product_id": 2,
            "name": 'Té "verde"',
            "price": None,
            "launched": date(2024, 2, 15),
            "category": "Drinks",
            **at,
            "_source_file": one,
        },
        # "NA" is the nullValue: category is NULL here (present), not the default.
        {
            "product_id": 3,
            "name": "Galletas",
            "price": Decimal("2.00"),
            "launched": None,
            "category": None,
            **at,
            "_source_file": one,
        },
        # products_2.csv lists its columns in another order and has no category column.
        {
            "product_id": 4,
            "name": "Muestra",
            "price": Decimal("0.00"),
            "launched": date(2024, 3, 1),
            "category": "general",
            **at,
            "_source_file": two,
        },
        {
            "product_id": 5,
            "name": "Miel, 500g",
            "price": Decimal("7.25"),
            "launched": date(2024, 2, 28),
            "category": "general",
            **at,
            "_source_file": two,
        },
    ]


def test_parquet_cast_by_name_and_text_lines(built):
    project, _ = built
    at = {"_ingested_date": date(2024, 3, 1), "_rescued_data": None}
    stores = f"{_landing(project, 'stores')}/stores.parquet"
    assert _rows(project, "bronze/retail/stores_raw") == [
        {
            "store_id": 1,
            "city": "Madrid",
            "opened": datetime(2020, 5, 1, 8, 0),
            "manager": {"name": "Rosa", "since": date(2021, 1, 1)},
            "logo": b"\x89PNG",
            "region": "unknown",
            **at,
            "_source_file": stores,
        },
        {
            "store_id": 2,
            "city": "Lima",
            "opened": None,
            "manager": None,
            "logo": None,
            "region": "unknown",
            **at,
            "_source_file": stores,
        },
    ]
    log = f"{_landing(project, 'audit')}/till-1.log"
    assert _rows(project, "bronze/retail/audit_raw") == [
        {"line": "login ana", **at, "_source_file": log},
        {"line": "logout ana", **at, "_source_file": log},
    ]


def test_declared_framework_columns_keep_declared_schema(built):
    from deltalake import DeltaTable

    project, _ = built
    schema = DeltaTable(str(table_path(project, "bronze/retail/orders_raw"))).schema()
    fields = {f.name: f for f in schema.fields}
    assert [f.name for f in schema.fields][-4:] == [
        "_ingested_at",
        "_ingested_date",
        "_source_file",
        "_rescued_data",
    ]
    assert fields["_ingested_date"].nullable  # declared nullable: honoured
    assert fields["_source_file"].metadata["comment"] == "landing file"
    ingested = {
        r["_source_file"]: r["_ingested_at"]
        for r in delta_rows(table_path(project, "bronze/retail/orders_raw"))
    }
    manifest = manifest_for(project).entries("bronze/retail/orders_raw")
    assert ingested == {path: e.assigned_at for path, e in manifest.items()}  # filled by us


def test_silver_filter_and_select_expr(built):
    project, result = built
    drop = ("_silver_created_at", "_silver_modified_at")
    assert _rows(project, "silver/retail/orders_current", drop) == [
        {
            "order_id": "o-1",
            "customer_id": 10,
            "customer_name": "ANA",
            "item_count": 1,
            "amount": Decimal("30.00"),
            "channel": "app",
            "updated_at": datetime(2024, 3, 1, 11, tzinfo=UTC),
            "is_deleted": False,
        },
        {
            "order_id": "o-2",
            "customer_id": None,
            "customer_name": None,
            "item_count": None,
            "amount": None,
            "channel": "web",
            "updated_at": datetime(2024, 3, 1, 12, tzinfo=UTC),
            "is_deleted": True,
        },
    ]  # o-3 is on channel 'test': the filter does not promote it
    assert _rows(project, "silver/retail/products_current") == [
        {
            "product_id": 1,
            "name": "Café; molido",
            "price": Decimal("4.50"),
            "launched": date(2024, 2, 1),
            "category": "Drinks",
            "category_code": "drinks",
            "currency": "EUR",
        },
        {
            "product_id": 3,
            "name": "Galletas",
            "price": Decimal("2.00"),
            "launched": None,
            "category": None,
            "category_code": None,
            "currency": "EUR",
        },
        {
            "product_id": 5,
            "name": "Miel, 500g",
            "price": Decimal("7.25"),
            "launched": date(2024, 2, 28),
            "category": "general",
            "category_code": "general",
            "currency": "EUR",
        },
    ]  # 2 (price NULL) and 4 (price 0) fail `price > 0`
    meta = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    counts = {
        k: (
            m["rows_in"].value,
            m["rows_written"].value,
            m.get("rows_filtered") and m["rows_filtered"].value,
            m["rows_quarantined"].value,
        )
        for k, m in meta.items()
    }
    assert counts == {
        "bronze/retail/orders_raw": (6, 5, None, 1),
        "bronze/retail/products_raw": (5, 5, None, 0),
        "bronze/retail/stores_raw": (2, 2, None, 0),
        "bronze/retail/audit_raw": (2, 2, None, 0),
        "silver/retail/orders_current": (5, 2, 1, 0),  # + 2 superseded (o-1 I, o-2 I)
        "silver/retail/products_current": (5, 3, 2, 0),
    }


def test_rerun_of_a_partition_writes_the_same_rows(built, spark_resource):
    project, _ = built
    before = _rows(project, "bronze/retail/orders_raw", drop=())
    run_assets(project, spark_resource, ["bronze/retail/orders_raw"], DAY)
    assert _rows(project, "bronze/retail/orders_raw", drop=()) == before


def test_governance_sql_is_exact_on_databricks(data_root):
    """Permissions as DKOps writes them (REVOKE included) and owner, in the dev environment's
    Unity Catalog names."""
    from lakehouse_assets.engine.capabilities import DATABRICKS
    from lakehouse_assets.security.plan import governance_plan

    project = load_project(HERE / "dkops_retail", env="dev")
    plan = governance_plan(project, DATABRICKS)
    orders, products = (
        "`ct_bronze_dev`.`retail`.`orders_raw`",
        "`ct_bronze_dev`.`retail`.`products_raw`",
    )
    current = "`ct_silver_dev`.`retail`.`orders_current`"
    assert (plan.applied, plan.skipped) == (True, [])
    assert plan.statements == [
        f"GRANT SELECT ON TABLE {orders} TO `analysts`",
        f"REVOKE MODIFY ON TABLE {orders} FROM `eng`",
        f"ALTER TABLE {orders} OWNER TO `retail-engineers`",
        f"ALTER TABLE {products} OWNER TO `retail-engineers`",
        f"GRANT SELECT ON TABLE {current} TO `analysts`",
        f"GRANT ALL PRIVILEGES ON TABLE {current} TO `retail-engineers`",
        f"ALTER TABLE {current} OWNER TO `retail-engineers`",
    ]


def _edit(path: Path, change) -> None:
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def test_planted_mistakes_are_each_named_with_file_field_and_fix(tmp_path: Path, data_root):
    """Unsupported options and formats, framework columns the framework cannot fill, a
    select_expr reading nothing the source has: all reported at once, nothing else."""
    folder = tmp_path / "variant"
    shutil.copytree(HERE / "dkops_retail", folder)

    def audit(d):
        d["columns"][2]["type"] = "INT"  # _ingested_date
        d["columns"].insert(1, {"name": "level", "type": "INT"})

    def orders(d):
        d["source"]["options"].update({"lineSep": "\n", "mode": "FAILFAST"})
        d["metadata"]["add_source_file"] = False

    _edit(folder / "tables/bronze/audit_raw.json", audit)
    _edit(folder / "ingestion/batch/orders_cdc.json", orders)
    _edit(folder / "ingestion/batch/stores_full.json", lambda d: d["source"].update(format="orc"))
    _edit(
        folder / "ingestion/batch/products_full.json",
        lambda d: d["source"]["options"].update(encoding="klingon"),
    )
    _edit(
        folder / "ingestion/silver/orders_current.json",
        lambda d: d["select_expr"].append("coupon_code AS coupon"),
    )

    def silver(d):
        d["columns"][7]["type"] = "STRING"  # is_deleted
        d["columns"][9]["type"] = "DATE"  # _silver_modified_at

    _edit(folder / "tables/silver/orders_current.json", silver)
    done = run_command(
        [sys.executable, "-m", "lakehouse_assets.cli", "validate", str(folder)],
        env={**os.environ, "LAKEHOUSE_SPARK_MODE": "local"},
    )
    assert done.returncode == 1
    source_columns = (
        "['_ingested_at', '_ingested_date', '_rescued_data', '_source_file', "
        "'amount', 'channel', 'customer', 'items', 'op_type', 'order_id', "
        "'updated_at']"
    )
    assert sorted(done.stderr.splitlines()) == sorted(
        [
            "error: ingestion/batch/products_full.json: source.options.encoding: unknown encoding "
            "'klingon' (fix: use a name such as UTF-8, ISO-8859-1, windows-1252, UTF-16)",
            "error: tables/bronze/audit_raw.json: columns[3].type: _ingested_date is filled by the "
            "framework as DATE, not INT (fix: declare _ingested_date as DATE, or drop it from the "
            "contract (the framework adds it))",
            "error: ingestion/streaming/audit_stream.json: source.format: a text source fills one "
            "STRING column per line; the table has ['line STRING', 'level INT'] (fix: declare "
            "exactly one STRING data column)",
            "error: ingestion/silver/orders_current.json: select_expr[8]: 'coupon_code AS coupon' "
            "reads ['coupon_code'], which the source does not have (fix: use columns of the "
            f"source: {source_columns})",
            "error: tables/silver/orders_current.json: columns[7].type: is_deleted is filled by "
            "cdc_merge as BOOLEAN, not STRING (fix: declare is_deleted as BOOLEAN)",
            "error: tables/silver/orders_current.json: columns[9].type: _silver_modified_at is "
            "filled by the framework as TIMESTAMP or TIMESTAMP_NTZ, not DATE (fix: declare "
            "_silver_modified_at as TIMESTAMP, or drop it from the contract (the framework adds "
            "it))",
            "error: ingestion/batch/stores_full.json: source.format: the sail engine cannot read "
            "orc files (it reads avro, csv, json, parquet, text) (fix: convert the landing files "
            "to a format it reads, or run on an engine that reads them (LAKEHOUSE_SPARK_MODE))",
        ]
    )
    assert [line for line in done.stdout.splitlines() if line.startswith("warning")] == [
        "warning: tables/bronze/orders_raw.json: metadata.add_source_file: the table declares "
        "_source_file but metadata.add_source_file is false: it stays NULL (fix: set "
        "metadata.add_source_file true, or drop _source_file from the table)",
        "warning: ingestion/batch/orders_cdc.json: source.options.lineSep: not honoured for "
        "json sources here (fix: remove it; options honoured for json: allowComments, "
        "dateFormat, encoding, multiLine, timestampFormat)",
        "warning: ingestion/batch/orders_cdc.json: source.options.mode: ignored: rows that "
        "cannot be parsed always go to <table>_quarantine with the reason (never dropped, "
        "never failing the run) (fix: remove it)",
    ]


def test_avro_source_is_read_by_field_name(retail, spark_resource, data_root):
    import fastavro

    _edit(
        retail.root / "ingestion/batch/stores_full.json",
        lambda d: d["source"].update(format="avro", options={}),
    )
    folder = data_root / "landing" / "stores" / f"dt={DAY}"
    (folder / "stores.parquet").unlink()
    schema = {
        "type": "record",
        "name": "store",
        "fields": [
            {"name": "city", "type": ["null", "string"]},
            {"name": "store_id", "type": "int"},
            {"name": "region", "type": ["null", "string"]},
        ],
    }
    with open(folder / "stores.avro", "wb") as out:
        fastavro.writer(
            out,
            schema,
            [
                {"city": "Quito", "store_id": 7, "region": "andes"},
                {"city": None, "store_id": 8, "region": None},
            ],
        )
    project = load_project(retail.root)
    run_assets(project, spark_resource, ["bronze/retail/stores_raw"], DAY)
    rows = [
        (r["store_id"], r["city"], r["region"], r["opened"])
        for r in _rows(project, "bronze/retail/stores_raw")
    ]
    # region is in the file: an explicit null stays NULL; opened is absent (no default): NULL.
    assert rows == [(7, "Quito", "andes", None), (8, None, None, None)]
