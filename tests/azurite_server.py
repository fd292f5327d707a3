"""Azurite, Microsoft's Azure Storage emulator (its Blob service), for tests: a process on
127.0.0.1 that the test starts and stops by its own pid, in memory, so obstore, delta-rs and the
engine (Sail) all talk to it over a real socket with the Azure Blob REST API and Shared Key
signing, as they would to a storage account.

Azurite has no hierarchical namespace (no DFS endpoint). object_store, which all three use,
speaks the Blob API for every Azure scheme, `abfss://container@account.dfs.core.windows.net`
included, so ADLS Gen2 URLs run against it unchanged."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import urllib.request
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import free_port, serving

AZURITE = REPO / ".cache" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's one account and its key: public, in Microsoft's documentation, valid only there.
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
START_TIMEOUT_S = 120.0


def require_azurite() -> None:
    if not AZURITE.exists():
        pytest.skip("Azurite is not installed: bash .ci/azurite.sh")


@contextlib.contextmanager
def azurite_server(log: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT of a fresh in-memory Azurite Blob service (no telemetry: it would
    call out)."""
    require_azurite()
    port = free_port()
    args = [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port)]
    args += ["--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose"]
    with serving(args, port, log, "Azurite", cwd=log.parent, deadline_s=START_TIMEOUT_S) as url:
        yield url


def create_container(endpoint: str, name: str) -> None:
    """Create Blob container `name` (object_store cannot): one Shared Key signed PUT."""
    headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": "2021-08-06"}
    canonical = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()))
    # Path-style emulator URLs name the account in the path too, hence twice in the resource.
    resource = f"/{ACCOUNT}/{ACCOUNT}/{name}\nrestype:container"
    signed = "PUT\n" + "\n" * 11 + canonical + resource
    digest = hmac.new(base64.b64decode(KEY), signed.encode(), hashlib.sha256).digest()
    headers["Authorization"] = f"SharedKey {ACCOUNT}:{base64.b64encode(digest).decode()}"
    request = urllib.request.Request(
        f"{endpoint}/{ACCOUNT}/{name}?restype=container",
        method="PUT",
        headers={**headers, "Content-Length": "0"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201, response.status
