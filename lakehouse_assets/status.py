"""`lakehouse status`: per table, its Delta version, rows, last ingested partition and the
latest result of each of its asset checks in the Dagster instance.

Tables stored at a path are read with delta-rs (no engine starts, so it is quick); tables known
only by a catalog name (Databricks) are reported as such. The last partition is the newest
`_ingested_date` in the table (bronze); a table without that column (silver merges days into
one table) gets its newest materialized partition from the instance. Check results come from
the instance of $DAGSTER_HOME; without one, or for an asset without checks, they are "n/a",
and a note says where they would come from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.storage.delta import delta_table, is_delta_table
from lakehouse_assets.tables.location import locate_key
from lakehouse_assets.tables.physical import INGESTED_DATE

if TYPE_CHECKING:
    from dagster import DagsterInstance, Definitions


@dataclass
class TableStatus:
    key: str
    version: int | None = None
    rows: int | None = None
    last_partition: str | None = None
    checks: dict[str, str] = field(default_factory=dict)
    note: str = ""


def delta_status(table: TableAsset, project: Project, capabilities: Capabilities) -> TableStatus:
    status = TableStatus(table.key_string)
    location = locate_key(project, table.key, capabilities)
    if location.path is None:
        status.note = f"catalog table {location.name}: query it on the engine"
        return status
    if not is_delta_table(location.path):
        status.note = "not built yet"
        return status
    delta = delta_table(location.path)
    status.version = delta.version()
    dataset = delta.to_pyarrow_dataset()
    status.rows = dataset.count_rows()
    if table.partitioned and INGESTED_DATE in dataset.schema.names:
        import pyarrow.compute as pc

        latest = pc.max(dataset.to_table(columns=[INGESTED_DATE])[INGESTED_DATE]).as_py()
        status.last_partition = str(latest) if latest is not None else None
    return status


def check_results(
    defs: Definitions, keys: list[str], instance: DagsterInstance | None = None
) -> dict[str, dict[str, str]]:
    """Latest status of every asset check of these assets in the instance (default: the one of
    $DAGSTER_HOME; none there -> no results)."""
    from dagster import AssetKey, DagsterInstance

    if instance is None:
        if not os.environ.get("DAGSTER_HOME"):
            return {}
        with DagsterInstance.get() as home:
            return check_results(defs, keys, home)
    wanted = {AssetKey(k.split("/")) for k in keys}
    check_keys = [c for c in defs.resolve_asset_graph().asset_check_keys if c.asset_key in wanted]
    if not check_keys:
        return {}
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    found: dict[str, dict[str, str]] = {}
    for check_key, record in latest.items():
        # SUCCEEDED: ran and passed; FAILED: did not pass; PLANNED: running; SKIPPED.
        found.setdefault(check_key.asset_key.to_user_string(), {})[check_key.name] = (
            record.status.value.lower()
        )
    return found


def last_materialized_partition(instance: DagsterInstance, key: str) -> str | None:
    """The newest daily partition the instance saw materialized (ISO dates sort as days)."""
    from dagster import AssetKey

    return max(instance.get_materialized_partitions(AssetKey(key.split("/"))), default=None)


def project_status(
    project: Project,
    capabilities: Capabilities,
    env: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[TableStatus]:
    statuses = []
    for table in project.assets.values():
        progress(f"reading {table.key_string}")
        statuses.append(delta_status(table, project, capabilities))
    if not os.environ.get("DAGSTER_HOME"):
        return statuses
    progress(f"reading check results from $DAGSTER_HOME ({os.environ['DAGSTER_HOME']})")
    from dagster import DagsterInstance

    from lakehouse_assets.code_location import build_definitions

    defs = build_definitions(str(project.root), env)
    with DagsterInstance.get() as instance:
        checks = check_results(defs, [s.key for s in statuses], instance)
        for table, status in zip(project.assets.values(), statuses, strict=True):
            status.checks = checks.get(status.key, {})
            if table.partitioned and status.version is not None and not status.last_partition:
                status.last_partition = last_materialized_partition(instance, status.key)
    return statuses


def instance_note(statuses: list[TableStatus]) -> str | None:
    """Why there are no check results, and how to see them."""
    home = os.environ.get("DAGSTER_HOME")
    built = [s for s in statuses if s.version is not None]
    if not home:
        return (
            "note: checks are n/a because DAGSTER_HOME is not set. Set it to the Dagster instance\n"
            "that ran these tables (the folder of its dagster.yaml; `lakehouse demo` prints its\n"
            "own) to see their check results and silver's last partition."
        )
    if built and not any(s.checks for s in built):
        return (
            f"note: the instance at DAGSTER_HOME={home} holds no check results of these "
            "tables: were they built with another DAGSTER_HOME?"
        )
    return None


def render(statuses: list[TableStatus]) -> str:
    headers = ["table", "version", "rows", "last partition", "checks"]
    rows = []
    for s in statuses:
        checks = ", ".join(f"{k}: {v}" for k, v in sorted(s.checks.items())) or "n/a"
        rows.append(
            [
                s.key,
                "-" if s.version is None else str(s.version),
                "-" if s.rows is None else str(s.rows),
                s.last_partition or "-",
                f"{checks}{'  (' + s.note + ')' if s.note else ''}",
            ]
        )
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers) - 1)]
    lines = []
    for r in [headers, *rows]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    return "\n".join(lines)
