"""What the object-storage tests share, whatever the store (S3 on moto, Azure on Azurite, GCS on
fake-gcs-server): the demo contracts with their paths under a URL, landing files put there,
tables read back with delta-rs, and the silver orders the landing files should give."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lakehouse_assets.storage.delta import delta_table
from lakehouse_assets.storage.urls import split
from tests.conftest import DEMO_CONTRACTS

ORDERS, PRODUCTS = "bronze/shop/orders_raw", "bronze/shop/products_raw"


def contracts_at(tmp_path: Path, base_url: str) -> Path:
    """The demo contracts with every path of their environment below `base_url`."""
    target = tmp_path / "contracts"
    shutil.copytree(DEMO_CONTRACTS, target)
    config = json.loads((target / "config.json").read_text())
    paths = config["environments"]["local"]["paths"]
    for layer in paths:
        paths[layer] = f"{base_url.rstrip('/')}/{layer}"
    (target / "config.json").write_text(json.dumps(config, indent=2))
    return target


def upload_folder(folder: Path, url: str) -> list[str]:
    """Every file below `folder` put under `url` (any store obstore opens from the standard
    variables); returns their URLs."""
    import obstore
    from obstore.store import from_url

    root = split(url)
    store = from_url(root.store_url)
    urls = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = f"{root.prefix}/{path.relative_to(folder).as_posix()}".strip("/")
        obstore.put(store, key, path.read_bytes())
        urls.append(root.url(key))
    return urls


def rows(url: str) -> list[dict]:
    """A table's rows, read through the storage layer's delta-rs."""
    return delta_table(url).to_pyarrow_table().to_pylist()


def orders_oracle(landing: Path, days: list[str]) -> dict[int, dict]:
    """The latest valid event per order in the landing files of `days` (as silver keeps it)."""
    state: dict[int, dict] = {}
    for day in days:
        for line in (landing / "orders" / f"dt={day}" / "part-0000.json").read_text().splitlines():
            try:
                event = json.loads(line)
                int(event["quantity"]) if "quantity" in event else None
            except (ValueError, KeyError):
                continue
            old = state.get(event["order_id"])
            if old is None or event["updated_at"] >= old["updated_at"]:
                state[event["order_id"]] = event
    return state
