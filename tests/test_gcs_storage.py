"""gs:// for real, as far as an emulator here allows: fake-gcs-server on 127.0.0.1 (a process
the test starts and stops), reached through the standard variable GOOGLE_SERVICE_ACCOUNT only.
Landing files are listed and read through the storage layer (obstore), a Delta table is opened
and read with delta-rs through it, and the embedded engine (Sail) reads both.

Not proven here: writing to gs:// (a Delta commit, bronze -> silver). object_store uploads with
GCS's XML API, which fake-gcs-server does not serve (see tests/gcs_server.py)."""

from __future__ import annotations

import time
import uuid

import pyarrow as pa
import pytest

from lakehouse_assets.ingest.landing import landing_missing, list_landing_files
from lakehouse_assets.storage.delta import delta_table, is_delta_table, write_delta
from lakehouse_assets.storage.files import read_bytes, read_ends
from tests.gcs_server import create_bucket, fake_gcs_server, service_account_file, upload_folder
from tests.object_store_lake import rows

_VARIABLES = (
    "GOOGLE_SERVICE_ACCOUNT",
    "GOOGLE_SERVICE_ACCOUNT_PATH",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_BUCKET",
    "GOOGLE_BUCKET_NAME",
)


@pytest.fixture(scope="module")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory):
    with fake_gcs_server(tmp_path_factory.mktemp("fake-gcs") / "fake-gcs.log") as url:
        yield url


@pytest.fixture
def gcs(tmp_path, monkeypatch, gcs_endpoint) -> str:
    """The endpoint, with GOOGLE_SERVICE_ACCOUNT naming a file that points at it."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT", str(service_account_file(tmp_path, gcs_endpoint)))
    return gcs_endpoint


def _bucket(endpoint: str) -> str:
    name = f"lake-{uuid.uuid4().hex[:8]}"
    create_bucket(endpoint, name)
    return name


def _landing(tmp_path, gcs: str, bucket: str) -> list[str]:
    local = tmp_path / "landing"
    for day, body in (("2024-01-01", b'{"k": 1}\n'), ("2024-01-02", b'{"k": 2}\n{"k": 3}\n')):
        (local / f"dt={day}").mkdir(parents=True)
        (local / f"dt={day}" / "part-0000.json").write_bytes(body)
    (local / "dt=2024-01-02" / "_SUCCESS").write_bytes(b"")
    return upload_folder(gcs, local, f"gs://{bucket}/landing")


def _table(tmp_path, gcs: str, bucket: str) -> str:
    """A two-version Delta table written by delta-rs here, its files put in the bucket."""
    local = tmp_path / "table"
    write_delta(str(local), pa.table({"k": [1, 2, 3], "v": ["a", "b", "c"]}))
    write_delta(str(local), pa.table({"k": [4], "v": ["d"]}), mode="append")
    upload_folder(gcs, local, f"gs://{bucket}/tables/t")
    return f"gs://{bucket}/tables/t"


def test_landing_files_listed_and_read(tmp_path, gcs):
    bucket = _bucket(gcs)
    assert landing_missing(f"gs://{bucket}/landing")
    before = time.time()
    _landing(tmp_path, gcs, bucket)
    after = time.time()
    listed = list_landing_files(f"gs://{bucket}/landing")
    assert [(f.path, f.size) for f in listed] == [
        (f"gs://{bucket}/landing/dt=2024-01-01/part-0000.json", 9),
        (f"gs://{bucket}/landing/dt=2024-01-02/part-0000.json", 18),
    ]
    assert all(before - 2 <= f.mtime <= after + 2 for f in listed)
    assert not landing_missing(f"gs://{bucket}/landing")
    assert read_bytes(listed[1].path) == b'{"k": 2}\n{"k": 3}\n'
    assert read_ends(listed[1].path, 4, 3) == (18, b'{"k"', b"3}\n")


def test_delta_table_read_with_delta_rs(tmp_path, gcs):
    bucket = _bucket(gcs)
    table = _table(tmp_path, gcs, bucket)
    assert is_delta_table(table) and not is_delta_table(f"gs://{bucket}/tables/none")
    assert delta_table(table).version() == 1
    assert sorted((r["k"], r["v"]) for r in rows(table)) == [
        (1, "a"), (2, "b"), (3, "c"), (4, "d")
    ]  # fmt: skip
    assert delta_table(table, version=0).to_pyarrow_table().num_rows == 3


def test_engine_reads_landing_and_delta_on_gcs(tmp_path, gcs, spark):
    bucket = _bucket(gcs)
    _landing(tmp_path, gcs, bucket)
    table = _table(tmp_path, gcs, bucket)
    landed = spark.read.json(f"gs://{bucket}/landing/dt=2024-01-02/part-0000.json")
    assert sorted(r.k for r in landed.collect()) == [2, 3]
    read = spark.read.format("delta").load(table)
    assert sorted((r.k, r.v) for r in read.collect()) == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
