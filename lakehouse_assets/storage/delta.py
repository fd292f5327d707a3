"""delta-rs opened through the storage layer: every table, local or on object storage, with
the configured storage options (delta-rs also reads the standard variables itself).

Commits on S3: delta-rs 1.x writes each `_delta_log/N.json` with a conditional put (put if
absent), which AWS S3 and current S3-compatible servers (MinIO, moto) honour, so concurrent
writers of one table cannot overwrite each other's commit and no lock service is needed.
For a server without conditional puts, set `aws_conditional_put: etag` or (single writer only)
AWS_S3_ALLOW_UNSAFE_RENAME=true; see the README.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from lakehouse_assets.storage.errors import StorageError, explain
from lakehouse_assets.storage.options import storage_options_for
from lakehouse_assets.storage.urls import is_remote, normalized

if TYPE_CHECKING:
    from deltalake import DeltaTable


def is_delta_table(path: str) -> bool:
    """A Delta table is at `path` (its _delta_log exists). StorageError when the store itself
    cannot be used (no bucket, refused credentials)."""
    if not is_remote(path):
        return os.path.isdir(os.path.join(path, "_delta_log"))
    from deltalake import DeltaTable

    try:
        return bool(
            DeltaTable.is_deltatable(normalized(path), storage_options=storage_options_for(path))
        )
    except Exception as exc:
        raise explain(exc, path, "opening the Delta table at") from None


def delta_table(path: str, **kwargs: Any) -> DeltaTable:
    from deltalake import DeltaTable

    if not is_remote(path):
        return DeltaTable(path, **kwargs)
    try:
        return DeltaTable(normalized(path), storage_options=storage_options_for(path), **kwargs)
    except StorageError:
        raise
    except Exception as exc:
        if type(exc).__name__ == "TableNotFoundError":
            raise
        raise explain(exc, path, "opening the Delta table at") from None


def write_delta(target: str | DeltaTable, data: Any, **kwargs: Any) -> None:
    """write_deltalake to a path (with its storage options) or to an open DeltaTable."""
    from deltalake import write_deltalake

    if isinstance(target, str) and is_remote(target):
        write_deltalake(
            normalized(target), data, storage_options=storage_options_for(target), **kwargs
        )
    else:
        write_deltalake(target, data, **kwargs)


def create_delta(path: str, schema: Any, **kwargs: Any) -> DeltaTable:
    from deltalake import DeltaTable

    if not is_remote(path):
        return DeltaTable.create(path, schema, **kwargs)
    return DeltaTable.create(
        normalized(path), schema, storage_options=storage_options_for(path), **kwargs
    )
