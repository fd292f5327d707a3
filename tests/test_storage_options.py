"""config.json's storage_options: {env:VAR} references resolved at use, errors that name the
field and the fix, and values (possibly secrets) in no repr, error or message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lakehouse_assets.contracts.errors import ContractError
from lakehouse_assets.storage.errors import explain
from lakehouse_assets.storage.options import (
    StorageConfigError,
    StorageOptions,
    configure,
    configured,
    export_for_engine,
    scrub,
    storage_options_for,
)
from lakehouse_assets.storage.scratch import working_dir
from lakehouse_assets.storage.urls import family, normalized, split
from tests.conftest import DEMO_CONTRACTS

SECRET = "s3cr3t-value-0123456789"
SOURCE = "config.json environments.local.storage_options"


@pytest.fixture(autouse=True)
def _reset():
    yield
    configure(StorageOptions())


def _contracts(tmp_path: Path, options: object) -> Path:
    target = tmp_path / "contracts"
    shutil.copytree(DEMO_CONTRACTS, target)
    config = json.loads((target / "config.json").read_text())
    config["environments"]["local"]["storage_options"] = options
    (target / "config.json").write_text(json.dumps(config))
    return target


def test_env_references_resolve_at_use(monkeypatch):
    monkeypatch.setenv("LAKE_KEY", SECRET)
    monkeypatch.setenv("LAKE_HOST", "minio.local")
    options = StorageOptions(
        {
            "AWS_SECRET_ACCESS_KEY": "{env:LAKE_KEY}",
            "aws_endpoint": "https://{env:LAKE_HOST}:9000",
            "aws_region": "eu-west-1",
        },
        SOURCE,
    )
    assert options.resolved() == {
        "aws_secret_access_key": SECRET,
        "aws_endpoint": "https://minio.local:9000",
        "aws_region": "eu-west-1",
    }
    monkeypatch.setenv("LAKE_KEY", "rotated")  # read when used, not when loaded
    assert options.resolved()["aws_secret_access_key"] == "rotated"


def test_a_missing_variable_is_named_with_the_fix(monkeypatch):
    monkeypatch.delenv("LAKE_MISSING", raising=False)
    options = StorageOptions({"aws_secret_access_key": "{env:LAKE_MISSING}"}, SOURCE)
    with pytest.raises(StorageConfigError) as caught:
        options.resolved()
    assert str(caught.value) == (
        f"{SOURCE}.aws_secret_access_key: environment variable LAKE_MISSING is not set "
        "(export LAKE_MISSING=..., or remove the {env:LAKE_MISSING} reference)"
    )


def test_values_are_in_no_repr(tmp_path, data_root, monkeypatch):
    from lakehouse_assets.project_loader import load_project_or_raise

    monkeypatch.setenv("LAKE_KEY", SECRET)
    options = StorageOptions({"aws_secret_access_key": SECRET, "aws_region": "x"}, SOURCE)
    assert SECRET not in repr(options) and SECRET not in str(options)
    assert "aws_secret_access_key" in repr(options)
    project = load_project_or_raise(
        str(_contracts(tmp_path, {"aws_secret_access_key": SECRET, "aws_region": "eu-west-1"}))
    )
    assert project.environment.storage_options["aws_secret_access_key"] == SECRET
    assert SECRET not in repr(project.environment) and SECRET not in repr(project.config)
    # Loading the project makes its options the process's, for every store.
    assert configured().keys() == ["aws_region", "aws_secret_access_key"]
    assert configured().source == SOURCE
    assert storage_options_for("s3://b/x") == {
        "aws_secret_access_key": SECRET,
        "aws_region": "eu-west-1",
    }
    assert SECRET not in repr(configured())


def test_options_go_to_the_store_they_belong_to(monkeypatch):
    configure(
        StorageOptions(
            {
                "aws_region": "eu-west-1",
                "aws_s3_allow_unsafe_rename": "true",
                "azure_storage_account_name": "acct",
                "google_service_account": "/k.json",
                "timeout": "30s",
            },
            SOURCE,
        )
    )
    assert storage_options_for("/Volumes/x/y") is None
    assert storage_options_for("s3a://b/x") == {
        "aws_region": "eu-west-1",
        "aws_s3_allow_unsafe_rename": "true",
        "timeout": "30s",
    }
    assert storage_options_for("s3://b/x", engine="obstore") == {
        "aws_region": "eu-west-1",
        "timeout": "30s",
    }
    assert storage_options_for("abfss://c@acct.dfs.core.windows.net/x") == {
        "azure_storage_account_name": "acct",
        "timeout": "30s",
    }
    assert storage_options_for("gs://b/x") == {
        "google_service_account": "/k.json",
        "timeout": "30s",
    }


def test_urls():
    assert [family(p) for p in ("/Volumes/a", "rel/x", "s3a://b", "az://c", "gs://b")] == [
        "local",
        "local",
        "s3",
        "azure",
        "gcs",
    ]
    with pytest.raises(ValueError, match=r"unsupported storage scheme ftp://"):
        family("ftp://host/x")
    assert normalized("s3a://b/k") == "s3://b/k"
    url = split("s3a://bucket/a/b/")
    assert (url.store_url, url.prefix, url.url("a/b/c")) == (
        "s3://bucket",
        "a/b",
        "s3://bucket/a/b/c",
    )
    assert split("abfss://c@acct.dfs.core.windows.net/p").store_url == (
        "abfss://c@acct.dfs.core.windows.net"
    )


def test_scratch_for_remote_paths_is_local(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_SCRATCH_DIR", str(tmp_path))
    assert working_dir("/data/ops") == Path("/data/ops")
    remote = working_dir("s3://bucket/ops")
    assert remote.parent == tmp_path and remote.name.startswith("bucket-")
    assert working_dir("s3a://bucket/ops/") == remote  # one URL, one folder
    assert working_dir("s3://bucket/other") != remote


def test_the_engine_gets_configured_options_without_overriding(monkeypatch):
    monkeypatch.setenv("LAKE_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "set-by-user")
    _unset(monkeypatch, "AWS_ENDPOINT")  # restored to unset after the test
    configure(
        StorageOptions({"aws_endpoint": "http://127.0.0.1:9000", "aws_region": "eu-west-1"}, SOURCE)
    )
    assert export_for_engine() == ["AWS_ENDPOINT"]
    import os

    assert os.environ["AWS_ENDPOINT"] == "http://127.0.0.1:9000"
    assert os.environ["AWS_REGION"] == "set-by-user"


def _unset(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Unset now and after the test (monkeypatch records a variable only when it is set)."""
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_errors_show_no_secret(monkeypatch):
    _unset(monkeypatch, "AWS_ENDPOINT", "AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    configure(StorageOptions({"aws_session_token": "token-abcdef-123"}, SOURCE))
    assert scrub(f"a {SECRET} b token-abcdef-123") == "a *** b ***"
    error = explain(
        RuntimeError(f"<Code>SignatureDoesNotMatch</Code> signed with {SECRET}"),
        "s3://b/landing",
        "listing",
    )
    assert SECRET not in str(error)
    assert "refused the credentials (SignatureDoesNotMatch)" in str(error)
    assert SOURCE in str(error) and "AWS_SECRET_ACCESS_KEY" in str(error)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"aws_secret_access_key": 12345678}, "aws_secret_access_key: the value must be a string"),
        ({"aws_region": "{env:not a name}"}, "does not name an environment variable"),
        ({"bad key": "x"}, "is not an option name"),
        (["aws_region"], "must be an object of option names to strings"),
    ],
)
def test_config_errors_name_the_file_and_field(tmp_path, data_root, options, message):
    from lakehouse_assets.project_loader import load_project_or_raise

    with pytest.raises(ContractError) as caught:
        load_project_or_raise(str(_contracts(tmp_path, options)))
    text = str(caught.value)
    assert "config.json: environments.local.storage_options" in text, text
    assert message in text
    assert "12345678" not in text
