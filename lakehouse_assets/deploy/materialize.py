"""`lakehouse materialize`: the selected assets of a contract folder for one partition, with
Dagster in this process, on the engine the environment configures (on a Databricks cluster:
the cluster's own session). A Databricks job task runs it (deploy/bundle.py); it runs the same
locally on the embedded engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dagster import AssetKey, AssetsDefinition, DagsterInstance, materialize

from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.assets.run_config import QUIET
from lakehouse_assets.code_location import build_definitions
from lakehouse_assets.project_loader import load_project_or_raise

LAYERS = ("bronze", "silver", "gold")


@dataclass
class MaterializeResult:
    success: bool
    materialized: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)


def selected_keys(available: list[AssetKey], select: str) -> list[AssetKey]:
    """`select`: comma-separated asset keys (bronze/shop/orders_raw) or layers (bronze)."""
    wanted = [s.strip() for s in select.split(",") if s.strip()]
    by_name = {k.to_user_string(): k for k in available}
    chosen: list[AssetKey] = []
    for item in wanted:
        if item in LAYERS:
            chosen += [k for k in available if k.path[0] == item]
        elif item in by_name:
            chosen.append(by_name[item])
        else:
            raise ValueError(
                f"--select {item!r} is neither a layer ({', '.join(LAYERS)}) nor an asset key "
                f"of this folder (e.g. {next(iter(by_name), 'bronze/shop/orders_raw')})"
            )
    return list(dict.fromkeys(chosen))


def materialize_selection(
    select: str,
    partition: str | None,
    project_dir: str | None = None,
    env: str | None = None,
    data_dir: str | None = None,
) -> MaterializeResult:
    project = load_project_or_raise(project_dir, env, data_dir)
    defs = build_definitions(str(project.root), env=env, data_dir=data_dir)
    assets = [a for a in build_assets(project) if isinstance(a, AssetsDefinition)]
    keys = selected_keys([k for a in assets for k in a.keys], select)
    # A Dagster instance of its own where DAGSTER_HOME says; on a job cluster, a temporary one
    # (the run's record is the job run's output).
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    with instance or DagsterInstance.ephemeral() as active:
        result = materialize(
            assets,
            selection=keys,
            partition_key=partition,
            resources=dict(defs.resources or {}),
            instance=active,
            run_config=QUIET,
            raise_on_error=False,
        )
    done = [
        e.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
        if e.asset_key is not None
    ]
    failed = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    return MaterializeResult(result.success, done, failed)
