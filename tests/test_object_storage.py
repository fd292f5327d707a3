"""The lakehouse on object storage, for real: a moto S3 server on 127.0.0.1 (a process the
test starts and stops), the demo contracts' paths on s3://, landing files uploaded there, the
landing sensor and bronze -> silver -> gold through real Dagster materializations on the
embedded engine, and every table read back from S3 with delta-rs."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context

from lakehouse_assets.assets.specs import contract_specs
from lakehouse_assets.demo.generator import generate
from lakehouse_assets.ingest.landing import landing_missing, list_landing_files
from lakehouse_assets.sensors.landing import landing_sensors, sensor_name
from lakehouse_assets.storage.delta import is_delta_table
from lakehouse_assets.storage.errors import StorageError
from tests.conftest import REPO
from tests.helpers import run_assets
from tests.object_store_lake import ORDERS, contracts_at, orders_oracle, rows, upload_folder
from tests.s3_server import SECRET, create_bucket, moto_server, use_endpoint

pytestmark = pytest.mark.slow

DAYS = ["2024-01-01", "2024-01-02"]
KEYS = [ORDERS, "bronze/shop/products_raw", "silver/shop/orders", "silver/shop/products"]
GOLD = "gold/shop/daily_revenue"


def s3_contracts(tmp_path: Path, bucket: str) -> Path:
    """The demo contracts with every path of their environment in the bucket."""
    return contracts_at(tmp_path, f"s3://{bucket}")


def _tick(sensor, instance, cursor=None) -> SensorResult:
    result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult)
    return result


def _sorted(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


def test_lakehouse_on_s3(tmp_path, data_root, monkeypatch, s3_endpoint, spark_resource):
    from lakehouse_assets.project_loader import load_project_or_raise

    use_endpoint(monkeypatch, s3_endpoint)
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    create_bucket(s3_endpoint, bucket)
    project = load_project_or_raise(str(s3_contracts(tmp_path, bucket)))
    landing_url = f"s3://{bucket}/landing"
    local = tmp_path / "generated"
    generate(local, date(2024, 1, 1), 3, scale=1)
    assert landing_missing(f"{landing_url}/orders")  # nothing uploaded yet: reported as missing
    for day in DAYS:
        upload_folder(local / "orders" / f"dt={day}", f"{landing_url}/orders/dt={day}")
        upload_folder(local / "products" / f"dt={day}", f"{landing_url}/products/dt={day}")
    assert not landing_missing(f"{landing_url}/orders")
    listed = list_landing_files(f"{landing_url}/orders")
    assert [f.path for f in listed] == [f"{landing_url}/orders/dt={d}/part-0000.json" for d in DAYS]

    # The landing sensor on S3: each new file is picked up once, in its dated partition.
    specs = contract_specs(project)
    name = sensor_name(specs.key(tuple(ORDERS.split("/"))))
    sensor = next(s for s in landing_sensors(project, specs) if s.name == name)
    with DagsterInstance.ephemeral() as instance:
        first = _tick(sensor, instance)
        assert [r.partition_key for r in first.run_requests] == DAYS
        again = _tick(sensor, instance, first.cursor)
        assert again.run_requests == []
        upload_folder(local / "orders" / "dt=2024-01-03", f"{landing_url}/orders/dt=2024-01-03")
        later = _tick(sensor, instance, again.cursor)
        assert [r.partition_key for r in later.run_requests] == ["2024-01-03"]
        assert _tick(sensor, instance, later.cursor).run_requests == []

    # bronze -> silver -> gold through Dagster, every table in the bucket.
    instance = DagsterInstance.ephemeral()
    for day in DAYS:
        result = run_assets(project, spark_resource, KEYS, day, instance=instance)
        silver = [
            e.materialization
            for e in result.get_asset_materialization_events()
            if e.materialization.asset_key.to_user_string() == "silver/shop/orders"
        ]
        # The key-slice merge (io/key_slice_merge.py) ran on the S3 table, scratch kept locally.
        assert silver[0].metadata["merge_attempts"].value == 1
    assert run_assets(project, spark_resource, [GOLD], instance=instance).success
    events = "\n".join(str(e) for e in instance.all_logs(result.run_id))
    assert "merge_attempts" in events and SECRET not in events

    # A source with nothing under its prefix: 0 rows and the missing landing named, as locally.
    empty = run_assets(project, spark_resource, ["bronze/shop/customers_raw"], DAYS[0])
    [event] = empty.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["landing_missing"].value == f"{landing_url}/customers"
    assert "does not exist: 0 rows" in metadata["landing_fix"].value
    assert not list(data_root.rglob("_delta_log")), "a table was written locally"

    oracle = orders_oracle(local, DAYS)
    bronze_orders = rows(f"s3://{bucket}/bronze/shop/orders_raw")
    assert {str(r["_ingested_date"]) for r in bronze_orders} == set(DAYS)
    assert {r["_source_file"] for r in bronze_orders} == {f.path for f in listed}
    silver_orders = {r["order_id"]: r for r in rows(f"s3://{bucket}/silver/shop/orders")}
    assert set(silver_orders) == set(oracle) and len(oracle) > 10
    for key, event in oracle.items():
        assert silver_orders[key]["status"] == event["status"]
    products = {r["product_id"]: r for r in rows(f"s3://{bucket}/silver/shop/products")}
    expected_gold = Counter(
        (str(r["order_ts"].date()), products[r["product_id"]]["category"])
        for r in silver_orders.values()
        if not r["is_deleted"] and r["status"] != "cancelled" and r["product_id"] in products
    )
    gold = {
        (str(r["order_date"]), r["category"]): r["orders"]
        for r in rows(f"s3://{bucket}/gold/shop/daily_revenue")
    }
    assert gold == dict(expected_gold) and sum(gold.values()) > 0

    # Re-running a day changes nothing.
    before = {k: _sorted(rows(f"s3://{bucket}/{k}")) for k in KEYS}
    assert run_assets(project, spark_resource, KEYS, DAYS[1]).success
    after = {k: _sorted(rows(f"s3://{bucket}/{k}")) for k in KEYS}
    assert after == before


def test_config_storage_options_reach_the_engine(tmp_path, monkeypatch, s3_endpoint):
    """Only config.json's storage_options say where the server is and what the secret is
    ({env:VAR}): no AWS_ENDPOINT_URL, AWS_ALLOW_HTTP or AWS_SECRET_ACCESS_KEY. A run in a
    process of its own (its own Sail server, started after the options are put where Sail
    reads them): bronze reads the landing files on S3 and writes its table there."""
    import os
    import sys

    from tests.helpers import run_command

    use_endpoint(monkeypatch, s3_endpoint)  # here, to set up the bucket and read back
    bucket = f"cfg-{uuid.uuid4().hex[:8]}"
    create_bucket(s3_endpoint, bucket)
    contracts = s3_contracts(tmp_path, bucket)
    config = json.loads((contracts / "config.json").read_text())
    config["environments"]["local"]["storage_options"] = {
        "aws_endpoint": "{env:LAKE_TEST_ENDPOINT}",
        "aws_allow_http": "true",
        "aws_secret_access_key": "{env:LAKE_TEST_SECRET}",
    }
    (contracts / "config.json").write_text(json.dumps(config))
    local = tmp_path / "generated"
    generate(local, date(2024, 1, 1), 1, scale=1)
    day = f"s3://{bucket}/landing/orders/dt={DAYS[0]}"
    upload_folder(local / "orders" / f"dt={DAYS[0]}", day)
    env = {
        **{k: v for k, v in os.environ.items() if k not in _SERVER_SETTINGS},
        "LAKE_TEST_ENDPOINT": s3_endpoint,
        "LAKE_TEST_SECRET": SECRET,
        "PYTHONPATH": str(REPO),
    }
    done = run_command(
        [sys.executable, "-m", "tests.run_partition", str(contracts), ORDERS, DAYS[0]],
        timeout_s=600,
        cwd=REPO,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert SECRET not in done.stdout + done.stderr
    metadata = json.loads(done.stdout.strip().splitlines()[-1])
    assert metadata["files_read"] == 1 and metadata["dagster/row_count"] > 10
    written = rows(f"s3://{bucket}/bronze/shop/orders_raw")
    assert len(written) == metadata["dagster/row_count"]
    assert {r["_source_file"] for r in written} == {f"{day}/part-0000.json"}


_SERVER_SETTINGS = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT", "AWS_ALLOW_HTTP", "AWS_SECRET_ACCESS_KEY")


def _failed_run(project, spark_resource) -> tuple[str, str]:
    """(the failure's text, the whole event log) of a bronze orders run that must fail."""
    with DagsterInstance.ephemeral() as instance:
        result = run_assets(
            project, spark_resource, [ORDERS], DAYS[0], instance=instance, raise_on_error=False
        )
        assert not result.success
        events = "\n".join(str(e) for e in instance.all_logs(result.run_id))
    failure = "\n".join(
        str(e.event_specific_data) + (e.message or "")
        for e in result.all_events
        if e.is_failure or e.event_type_value in ("STEP_FAILURE", "ENGINE_EVENT")
    )
    return failure, events


def test_missing_bucket_names_the_setting(
    tmp_path, data_root, monkeypatch, s3_endpoint, spark_resource, capfd
):
    from lakehouse_assets.project_loader import load_project_or_raise

    use_endpoint(monkeypatch, s3_endpoint)
    project = load_project_or_raise(str(s3_contracts(tmp_path, "no-such-bucket")))
    with pytest.raises(StorageError) as caught:
        landing_missing("s3://no-such-bucket/landing/orders")
    message = str(caught.value)
    assert "s3://no-such-bucket does not exist (NoSuchBucket)" in message
    assert "environments.<env>.paths" in message and "AWS_ENDPOINT_URL" in message
    failure, events = _failed_run(project, spark_resource)
    assert "s3://no-such-bucket does not exist (NoSuchBucket)" in failure
    logs = capfd.readouterr()
    for text in (message, events, logs.out, logs.err):
        assert SECRET not in text


def test_plain_http_without_allow_http_names_the_setting(monkeypatch, s3_endpoint):
    use_endpoint(monkeypatch, s3_endpoint)
    monkeypatch.delenv("AWS_ALLOW_HTTP")
    with pytest.raises(StorageError) as caught:
        list_landing_files("s3://any/landing")
    assert str(caught.value) == (
        f"listing s3://any/landing: the endpoint {s3_endpoint} is plain http:// and http is not "
        "allowed: set AWS_ALLOW_HTTP=true (or aws_allow_http in config.json "
        "environments.<env>.storage_options), or use https://"
    )


def test_refused_credentials_name_the_setting(
    tmp_path, data_root, monkeypatch, spark_resource, capfd
):
    from lakehouse_assets.project_loader import load_project_or_raise

    log = tmp_path / "moto-auth.log"
    with moto_server(log, INITIAL_NO_AUTH_ACTION_COUNT="0") as endpoint:
        use_endpoint(monkeypatch, endpoint)
        project = load_project_or_raise(str(s3_contracts(tmp_path, "locked")))
        with pytest.raises(StorageError) as caught:
            list_landing_files("s3://locked/landing/orders")
        message = str(caught.value)
        assert "refused the credentials (InvalidAccessKeyId)" in message
        assert "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY" in message
        assert "storage_options" in message
        failure, events = _failed_run(project, spark_resource)
        assert "refused the credentials (InvalidAccessKeyId)" in failure
    logs = capfd.readouterr()
    for text in (message, events, logs.out, logs.err, log.read_text()):
        assert SECRET not in text


def test_config_storage_options_reach_obstore_and_delta_rs(tmp_path, monkeypatch, s3_endpoint):
    """config.json's storage_options, with {env:VAR} references, are all a store needs: no
    AWS_ENDPOINT_URL is set here."""
    import pyarrow as pa

    from lakehouse_assets.storage.delta import write_delta
    from lakehouse_assets.storage.options import StorageOptions, configure

    use_endpoint(monkeypatch, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("LAKE_TEST_ENDPOINT", s3_endpoint)
    bucket = f"opts-{uuid.uuid4().hex[:8]}"
    create_bucket(s3_endpoint, bucket)
    configure(
        StorageOptions(
            {"aws_endpoint": "{env:LAKE_TEST_ENDPOINT}", "aws_allow_http": "true"},
            "config.json environments.local.storage_options",
        )
    )
    try:
        upload = tmp_path / "up"
        (upload / "dt=2024-01-01").mkdir(parents=True)
        (upload / "dt=2024-01-01" / "a.json").write_text('{"a": 1}\n')
        monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)  # only to upload
        upload_folder(upload, f"s3://{bucket}/landing")
        monkeypatch.delenv("AWS_ENDPOINT_URL")
        files = list_landing_files(f"s3://{bucket}/landing")
        assert [(f.path, f.size) for f in files] == [
            (f"s3://{bucket}/landing/dt=2024-01-01/a.json", 9)
        ]
        write_delta(f"s3a://{bucket}/t", pa.table({"k": [1, 2, 3]}))
        assert is_delta_table(f"s3://{bucket}/t")
        assert sorted(r["k"] for r in rows(f"s3://{bucket}/t")) == [1, 2, 3]
    finally:
        configure(StorageOptions())


def test_remote_files_the_engine_cannot_read_are_staged_locally(tmp_path, monkeypatch, s3_endpoint):
    """A .gz, a file with a BOM, a truncated parquet: checked and staged from S3 like local
    files (ingest/prepare.py reads them through the storage layer)."""
    import gzip
    from datetime import datetime, timezone

    from lakehouse_assets.contracts.source_options import ReadOptions
    from lakehouse_assets.ingest.manifest import ManifestEntry
    from lakehouse_assets.ingest.prepare import prepare
    from lakehouse_assets.storage.scratch import working_dir

    use_endpoint(monkeypatch, s3_endpoint)
    monkeypatch.setenv("LAKEHOUSE_SCRATCH_DIR", str(tmp_path / "scratch"))
    bucket = f"stage-{uuid.uuid4().hex[:8]}"
    create_bucket(s3_endpoint, bucket)
    local = tmp_path / "files"
    local.mkdir()
    (local / "a.json.gz").write_bytes(gzip.compress(b'{"k": 1}\n{"k": 2}\n'))
    (local / "b.json").write_bytes(b'\xef\xbb\xbf{"k": 3}\n')
    (local / "c.parquet").write_bytes(b"PAR1 truncated")
    upload_folder(local, f"s3://{bucket}/landing")
    staging = working_dir(f"s3://{bucket}/ops") / "staged_landing"
    assert staging.is_relative_to(tmp_path / "scratch")

    def entry(name: str) -> ManifestEntry:
        path = f"s3://{bucket}/landing/{name}"
        size = (local / name).stat().st_size
        return ManifestEntry("s", path, size, 0.0, "2024-01-01", datetime.now(timezone.utc))

    gz = prepare(entry("a.json.gz"), "json", ReadOptions(), staging)
    assert gz.read_path is not None and gz.read_path.startswith(str(staging))
    assert Path(gz.read_path).read_text().splitlines() == ['{"k": 1}', '{"k": 2}']
    bom = prepare(entry("b.json"), "json", ReadOptions(), staging)
    assert bom.read_path is not None and Path(bom.read_path).read_text() == '{"k": 3}\n'
    parquet = prepare(entry("c.parquet"), "parquet", ReadOptions(), staging)
    assert parquet.read_path is None and "magic bytes" in parquet.set_aside[0].reason
