"""fake-gcs-server (a Google Cloud Storage emulator) for tests: a process on 127.0.0.1 that the
test starts and stops by its own pid, in memory, reached by obstore, delta-rs and the engine
(Sail) through object_store's GCS client.

object_store takes a custom GCS endpoint only from a service-account file: its `gcs_base_url`
(with `disable_oauth`: no token is fetched). What fake-gcs-server serves of the API object_store
speaks: listing, reading and HEAD, yes. Writing, no: object_store uploads with the XML API
(`PUT /bucket/object`, `x-goog-if-generation-match: 0` for put-if-absent), which
fake-gcs-server (v1.52 to v1.56 tried) answers `400 invalid uploadType`. So tests put their
objects with the JSON API (`uploadType=media`) here, and only the read side is proven on it."""

from __future__ import annotations

import contextlib
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse_assets.storage.urls import split
from tests.conftest import REPO
from tests.helpers import free_port, serving

FAKE_GCS = REPO / ".cache" / "gobin" / "fake-gcs-server"
START_TIMEOUT_S = 120.0


def require_fake_gcs() -> None:
    if not FAKE_GCS.exists():
        pytest.skip("fake-gcs-server is not installed: bash .ci/fake_gcs.sh")


@contextlib.contextmanager
def fake_gcs_server(log: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT of a fresh in-memory fake-gcs-server."""
    require_fake_gcs()
    port = free_port()
    args = [str(FAKE_GCS), "-scheme", "http", "-host", "127.0.0.1", "-port", str(port)]
    args += ["-backend", "memory", "-public-host", f"127.0.0.1:{port}", "-log-level", "warn"]
    with serving(args, port, log, "fake-gcs-server", deadline_s=START_TIMEOUT_S) as url:
        yield url


def service_account_file(folder: Path, endpoint: str) -> Path:
    """The service-account file that points object_store at `endpoint` without OAuth."""
    path = folder / "fake-gcs-service-account.json"
    fields = {"gcs_base_url": endpoint, "disable_oauth": True}
    # Empty key fields: object_store (Sail's older copy too) requires them to be present.
    keys = {"client_email": "", "private_key": "", "private_key_id": ""}
    path.write_text(json.dumps({**fields, **keys}))
    return path


def _call(request: urllib.request.Request) -> None:
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200, response.status


def create_bucket(endpoint: str, bucket: str) -> None:
    _call(
        urllib.request.Request(
            f"{endpoint}/storage/v1/b?project=test",
            data=json.dumps({"name": bucket}).encode(),
            headers={"Content-Type": "application/json"},
        )
    )


def upload_folder(endpoint: str, folder: Path, url: str) -> list[str]:
    """Every file below `folder` put under `url` (gs://bucket/prefix) with the JSON API;
    returns their URLs."""
    root = split(url)
    bucket = root.store_url.removeprefix("gs://")
    urls = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = f"{root.prefix}/{path.relative_to(folder).as_posix()}".strip("/")
        query = urllib.parse.urlencode({"uploadType": "media", "name": key})
        _call(
            urllib.request.Request(
                f"{endpoint}/upload/storage/v1/b/{bucket}/o?{query}",
                data=path.read_bytes(),
                headers={"Content-Type": "application/octet-stream"},
            )
        )
        urls.append(root.url(key))
    return urls
