"""An S3-compatible server for tests: moto's, as a process on 127.0.0.1 that the test starts
and stops by its own pid, so the engine (Sail), delta-rs and obstore all talk to it over a real
socket, as they would to AWS or MinIO."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port, serving

START_TIMEOUT_S = 120.0  # a loaded 2-core machine imports moto slowly


def require_moto() -> None:
    if importlib.util.find_spec("moto") is None:
        pytest.skip("moto is not installed: pip install -e '.[dev]' (moto[server]>=5)")


@contextlib.contextmanager
def moto_server(log: Path, **env: str) -> Iterator[str]:
    """http://127.0.0.1:PORT of a fresh moto server; `env` is added to its environment
    (INITIAL_NO_AUTH_ACTION_COUNT=0 makes it check credentials)."""
    require_moto()
    import os

    port = free_port()
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with serving(
        args, port, log, "moto server", env={**os.environ, **env}, deadline_s=START_TIMEOUT_S
    ) as url:
        yield url


SECRET = f"never-shown-{uuid.uuid4().hex}"  # the secret key used: no message may contain it


def use_endpoint(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """The standard variables, as a user of an S3-compatible server sets them."""
    for name, value in s3_environment(endpoint).items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def s3_environment(endpoint: str) -> dict[str, str]:
    """The variables a process needs to reach the test server (for a CLI run as a subprocess)."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
    }


def new_bucket(endpoint: str, prefix: str) -> str:
    """A fresh bucket with a unique name (tests share one server)."""
    bucket = f"{prefix}-{uuid.uuid4().hex[:8]}"
    create_bucket(endpoint, bucket)
    return bucket


def create_bucket(endpoint: str, bucket: str) -> None:
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=bucket)
