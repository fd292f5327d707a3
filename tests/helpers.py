"""Helpers for tests: run assets through Dagster, read Delta tables back as Python rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagster import AssetsDefinition, DagsterInstance, materialize

from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.contracts.project import Project

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def run_assets(
    project: Project, spark_resource: Any, keys: list[str], partition: str | None = None,
    instance: DagsterInstance | None = None, raise_on_error: bool = True,
) -> Any:
    defs = build_definitions(str(project.root), spark=spark_resource)
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    selection = [a.key for a in assets if a.key.to_user_string() in keys]
    assert len(selection) == len(keys), f"unknown keys among {keys}"
    return materialize(assets, selection=selection, partition_key=partition,
                       resources=dict(defs.resources or {}), instance=instance,
                       run_config=QUIET, raise_on_error=raise_on_error)


def free_port() -> int:
    """A free TCP port on loopback for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def delta_rows(path: str | Path, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """A Delta table's rows through delta-rs: an independent reader of what the engine wrote."""
    from deltalake import DeltaTable

    table = DeltaTable(str(path)).to_pyarrow_table(columns=columns)
    return table.to_pylist()


def table_path(project: Project, key: str) -> Path:
    layer, schema, name = key.split("/")
    return Path(project.environment.paths[layer]) / schema / name
