"""The lakehouse on Azure Blob / ADLS Gen2 URLs, for real: Azurite's Blob service on 127.0.0.1
(a process the test starts and stops), reached through the standard variables only, by obstore
(landing listing, reads), delta-rs (tables) and the embedded engine (bronze -> silver).

Two ways to point everything at it, both proven here:
- the storage account variables a real account uses, plus its endpoint: AZURE_STORAGE_ACCOUNT_NAME,
  AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_ENDPOINT=http://HOST:PORT/ACCOUNT, AZURE_ALLOW_HTTP;
- object_store's emulator switch: AZURE_STORAGE_USE_EMULATOR=true (account devstoreaccount1 and
  its public key by default) and AZURITE_BLOB_STORAGE_URL=http://HOST:PORT."""

from __future__ import annotations

import time
import uuid
from datetime import date

import pyarrow as pa
import pytest
from dagster import DagsterInstance

from lakehouse_assets.demo.generator import generate
from lakehouse_assets.ingest.landing import landing_missing, list_landing_files
from lakehouse_assets.storage.delta import delta_table, is_delta_table, write_delta
from lakehouse_assets.storage.errors import StorageError
from lakehouse_assets.storage.files import read_bytes
from tests.azurite_server import ACCOUNT, KEY, azurite_server, create_container
from tests.helpers import run_assets
from tests.object_store_lake import ORDERS, contracts_at, orders_oracle, rows, upload_folder

DAY = "2024-01-01"
_VARIABLES = (
    "AZURE_STORAGE_ACCOUNT_NAME",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ENDPOINT",
    "AZURE_ENDPOINT",
    "AZURE_ALLOW_HTTP",
    "AZURE_STORAGE_USE_EMULATOR",
    "AZURITE_BLOB_STORAGE_URL",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
)


@pytest.fixture(scope="module")
def azurite(tmp_path_factory: pytest.TempPathFactory):
    with azurite_server(tmp_path_factory.mktemp("azurite") / "azurite.log") as url:
        yield url


def use_account(monkeypatch: pytest.MonkeyPatch, endpoint: str, key: str = KEY) -> None:
    """A storage account's variables, as for a real account, plus the emulator's endpoint."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_NAME", ACCOUNT)
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_KEY", key)
    monkeypatch.setenv("AZURE_STORAGE_ENDPOINT", f"{endpoint}/{ACCOUNT}")
    monkeypatch.setenv("AZURE_ALLOW_HTTP", "true")


def use_emulator(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """object_store's emulator switch: no account or key to give."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_STORAGE_USE_EMULATOR", "true")
    monkeypatch.setenv("AZURITE_BLOB_STORAGE_URL", endpoint)


def _container(endpoint: str, prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    create_container(endpoint, name)
    return name


@pytest.mark.parametrize(
    ("route", "url"),
    [
        ("account", "abfss://{c}@devstoreaccount1.dfs.core.windows.net"),
        ("emulator", "az://{c}"),
    ],
)
def test_landing_files_and_delta_tables(tmp_path, monkeypatch, azurite, route, url):
    """Landing files listed with path, size and mtime and read back; a Delta table written,
    appended to and read with delta-rs, all through the storage layer."""
    (use_account if route == "account" else use_emulator)(monkeypatch, azurite)
    base = url.format(c=_container(azurite, "files"))
    local = tmp_path / "landing"
    for day, body in (("2024-01-01", b'{"k": 1}\n'), ("2024-01-02", b'{"k": 2}\n{"k": 3}\n')):
        (local / f"dt={day}").mkdir(parents=True)
        (local / f"dt={day}" / "part-0000.json").write_bytes(body)
    (local / "dt=2024-01-02" / "_SUCCESS").write_bytes(b"")
    assert landing_missing(f"{base}/landing")
    before = time.time()
    upload_folder(local, f"{base}/landing")
    after = time.time()

    listed = list_landing_files(f"{base}/landing")
    assert [(f.path, f.size) for f in listed] == [
        (f"{base}/landing/dt=2024-01-01/part-0000.json", 9),
        (f"{base}/landing/dt=2024-01-02/part-0000.json", 18),
    ]
    # Blob times have whole seconds; the server runs on this machine's clock.
    assert all(before - 2 <= f.mtime <= after + 2 for f in listed)
    assert read_bytes(listed[1].path) == b'{"k": 2}\n{"k": 3}\n'

    table = f"{base}/tables/t"
    assert not is_delta_table(table)
    write_delta(table, pa.table({"k": [1, 2, 3], "v": ["a", "b", "c"]}))
    write_delta(table, pa.table({"k": [4], "v": ["d"]}), mode="append")
    assert is_delta_table(table)
    assert delta_table(table).version() == 1
    assert sorted((r["k"], r["v"]) for r in rows(table)) == [
        (1, "a"), (2, "b"), (3, "c"), (4, "d")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("route", "url"),
    [
        ("account", "abfss://{c}@devstoreaccount1.dfs.core.windows.net"),
        ("emulator", "az://{c}"),
    ],
)
def test_bronze_to_silver(tmp_path, data_root, monkeypatch, azurite, spark_resource, route, url):
    """The demo's orders for one day: landing, bronze and silver on Azure URLs, written by the
    embedded engine (Sail) and delta-rs, read back and checked against the landing file."""
    from lakehouse_assets.project_loader import load_project_or_raise

    (use_account if route == "account" else use_emulator)(monkeypatch, azurite)
    base = url.format(c=_container(azurite, "lake"))
    project = load_project_or_raise(str(contracts_at(tmp_path, base)))
    local = tmp_path / "generated"
    generate(local, date(2024, 1, 1), 1, scale=1)
    [uploaded] = upload_folder(local / "orders" / f"dt={DAY}", f"{base}/landing/orders/dt={DAY}")

    with DagsterInstance.ephemeral() as instance:
        result = run_assets(project, spark_resource, [ORDERS, "silver/shop/orders"], DAY, instance)
        events = "\n".join(str(e) for e in instance.all_logs(result.run_id))
    assert KEY not in events
    assert not list(data_root.rglob("_delta_log")), "a table was written locally"

    oracle = orders_oracle(local, [DAY])
    bronze = rows(f"{base}/bronze/shop/orders_raw")
    assert {r["_source_file"] for r in bronze} == {uploaded}
    assert {str(r["_ingested_date"]) for r in bronze} == {DAY}
    silver = {r["order_id"]: r for r in rows(f"{base}/silver/shop/orders")}
    assert set(silver) == set(oracle) and len(oracle) > 10
    for key, event in oracle.items():
        assert silver[key]["status"] == event["status"]


def test_refused_key_names_the_setting(monkeypatch, azurite, capfd):
    wrong = "A" * 86 + "=="  # a well-formed key the account does not have
    use_account(monkeypatch, azurite, key=wrong)
    with pytest.raises(StorageError) as caught:
        list_landing_files(f"az://{uuid.uuid4().hex[:8]}/landing")
    message = str(caught.value)
    # Azurite answers AuthorizationFailure (a storage account: AuthenticationFailed): both 403.
    assert "refused the credentials (AuthorizationFailure)" in message
    assert "AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY" in message
    logs = capfd.readouterr()
    for text in (message, repr(caught.value), logs.out, logs.err):
        assert wrong not in text


def test_missing_container_names_the_setting(monkeypatch, azurite):
    use_account(monkeypatch, azurite)
    with pytest.raises(StorageError) as caught:
        landing_missing(f"abfss://no-such-container@{ACCOUNT}.dfs.core.windows.net/landing")
    message = str(caught.value)
    assert (
        f"abfss://no-such-container@{ACCOUNT}.dfs.core.windows.net does not exist "
        "(ContainerNotFound)"
    ) in message
    assert "environments.<env>.paths" in message and "AZURE_STORAGE_ACCOUNT_NAME" in message
    assert KEY not in message


def test_plain_http_without_allow_http_names_the_setting(monkeypatch, azurite):
    use_account(monkeypatch, azurite)
    monkeypatch.delenv("AZURE_ALLOW_HTTP")
    with pytest.raises(StorageError) as caught:
        list_landing_files("az://any/landing")
    assert str(caught.value) == (
        f"listing az://any/landing: the endpoint {azurite}/{ACCOUNT} is plain http:// and http "
        "is not allowed: set AZURE_ALLOW_HTTP=true (or azure_allow_http in config.json "
        "environments.<env>.storage_options), or use https://"
    )


def test_put_if_absent_is_honoured(monkeypatch, azurite):
    """What delta-rs commits with (object_store's put-if-absent): a second put of one key is
    refused, so two writers cannot both commit one version."""
    import obstore
    from obstore.store import from_url

    use_account(monkeypatch, azurite)
    store = from_url(f"az://{_container(azurite, 'commit')}")
    obstore.put(store, "_delta_log/00000000000000000001.json", b"first", mode="create")
    with pytest.raises(Exception) as caught:
        obstore.put(store, "_delta_log/00000000000000000001.json", b"second", mode="create")
    assert type(caught.value).__name__ == "AlreadyExistsError"
    assert bytes(obstore.get(store, "_delta_log/00000000000000000001.json").bytes()) == b"first"


def test_config_storage_options_reach_obstore_and_delta_rs(tmp_path, monkeypatch, azurite):
    """config.json's storage_options alone (the key by {env:VAR}) point obstore and delta-rs at
    the account: no AZURE_ variable is set."""
    from lakehouse_assets.storage.options import StorageOptions, configure

    use_emulator(monkeypatch, azurite)  # only to create the container and upload
    container = _container(azurite, "opts")
    local = tmp_path / "up" / "dt=2024-01-01"
    local.mkdir(parents=True)
    (local / "a.json").write_text('{"a": 1}\n')
    upload_folder(local.parent, f"az://{container}/landing")
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LAKE_TEST_AZURE_KEY", KEY)
    configure(
        StorageOptions(
            {
                "azure_storage_account_name": ACCOUNT,
                "azure_storage_account_key": "{env:LAKE_TEST_AZURE_KEY}",
                "azure_storage_endpoint": f"{azurite}/{ACCOUNT}",
                "azure_allow_http": "true",
            },
            "config.json environments.local.storage_options",
        )
    )
    try:
        base = f"abfss://{container}@{ACCOUNT}.dfs.core.windows.net"
        files = list_landing_files(f"{base}/landing")
        assert [(f.path, f.size) for f in files] == [(f"{base}/landing/dt=2024-01-01/a.json", 9)]
        write_delta(f"{base}/t", pa.table({"k": [1, 2, 3]}))
        assert sorted(r["k"] for r in rows(f"{base}/t")) == [1, 2, 3]
    finally:
        configure(StorageOptions())
