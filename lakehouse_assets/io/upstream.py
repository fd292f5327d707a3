"""Upstream tables that were never written: a Failure naming them and the command to run.

Checked before reading, rather than decoding the engine's error (Sail: `Invalid table location:
No commit files found in _delta_log`), which differs per engine and names a path, not an asset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagster import Failure
from dagster import MetadataValue as MV

from lakehouse_assets.contracts.project import AssetKeyPath, Project
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.tables.location import TableLocation, locate_key
from lakehouse_assets.tables.physical import INGESTED_DATE, partition_filter

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

COMMAND = "dagster asset materialize -m lakehouse_assets.definitions --select {keys}"


def _missing(
    spark: SparkSession,
    project: Project,
    keys: tuple[AssetKeyPath, ...],
    capabilities: Capabilities,
) -> list[AssetKeyPath]:
    """Keys without a table, with their own missing upstreams first (one run builds them all)."""
    found: list[AssetKeyPath] = []
    for key in keys:
        if locate_key(project, key, capabilities).exists(spark):
            continue
        built = project.assets.get(key)
        ancestors = _missing(spark, project, built.deps, capabilities) if built else []
        found += [k for k in [*ancestors, key] if k not in found]
    return found


def commands(project: Project, keys: list[AssetKeyPath], partition: str | None) -> list[str]:
    """One command for the partitioned keys, one for the others (a run has one partition)."""
    daily = [k for k in keys if k in project.assets and project.assets[k].partitioned]
    whole = [k for k in keys if k in project.assets and k not in daily]
    out = []
    if daily:
        out.append(
            f"{COMMAND.format(keys=','.join('/'.join(k) for k in daily))} "
            f"--partition {partition or '<day>'}"
        )
    if whole:
        out.append(COMMAND.format(keys=",".join("/".join(k) for k in whole)))
    return out


def require_materialized(
    spark: SparkSession,
    project: Project,
    keys: tuple[AssetKeyPath, ...],
    capabilities: Capabilities,
    reader: str,
    partition: str | None = None,
) -> None:
    """Raise a Failure when any of `keys` (read by `reader`) has no table yet."""
    missing = _missing(spark, project, keys, capabilities)
    if not missing:
        return
    names = ", ".join("/".join(k) for k in missing)
    external = [k for k in missing if k not in project.assets]
    todo = commands(project, missing, partition)
    fix = f"materialize first: {'; '.join(todo)}" if todo else ""
    if external:
        outside = ", ".join("/".join(k) for k in external)
        fix = "; ".join(p for p in (fix, f"{outside} is written outside this lakehouse") if p)
    raise Failure(
        description=f"{reader}: upstream {names} never materialized; {fix}",
        metadata={
            "missing_upstream": MV.json(["/".join(k) for k in missing]),
            "commands": MV.md("\n".join(f"```\n{c}\n```" for c in todo) or "none"),
        },
    )


def read_partitions(
    spark: SparkSession, location: TableLocation, partitions: list[str] | None
) -> DataFrame:
    """The table, or only its daily partitions when given."""
    df = location.read(spark)
    if partitions:
        df = df.where(partition_filter(INGESTED_DATE, partitions))
    return df
