"""tombstone_retention: forget hard deletes older than the retention (cdc_merge's
`<table>_tombstones`); Lakeflow's counterpart is `pipelines.cdc.tombstoneGCThresholdInSeconds`.

Relative to the wall clock: a tombstone whose `_tombstoned_at` (the time of the run that
recorded its delete, refreshed by a newer delete of the key) is older than now minus the
retention is deleted after each silver write of the table. Event order values cannot be used:
they need not be times. Once purged, a replayed insert older than the delete comes back.
The purge is one DELETE over the tombstone table (keys, order value, time: small).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.retention import parse_retention
from lakehouse_assets.contracts.table_model import Column
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.strategies.cdc_merge import TOMBSTONED_AT
from lakehouse_assets.strategies.strategy import SideTable
from lakehouse_assets.tables.location import TableLocation
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def add_stamps(
    spark: SparkSession, capabilities: Capabilities, side: SideTable, location: TableLocation
) -> list[str]:
    """A side table made before its strategy stamped rows (retention set later) gains the
    columns; its old rows have NULL there and are never purged (their age is unknown)."""
    existing = set(location.read(spark).columns)
    new = [Column(name=n, type=t) for n, t in side.stamps.items() if n not in existing]
    if new:
        table_ops(spark, location, capabilities).add_columns(new)
    return [c.name for c in new]


def purge_tombstones(spark: SparkSession, location: TableLocation, retention: str) -> str:
    """Delete the tombstones recorded longer ago than the retention; returns the cutoff rule."""
    # The cutoff in epoch microseconds: no time zone to get wrong (and Sail 0.7 cannot evaluate
    # current_timestamp() inside a DELETE).
    kept = parse_retention(retention, "tombstone_retention")
    cutoff = (datetime.now(UTC) - kept - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )
    rule = f"{quote(TOMBSTONED_AT)} < timestamp_micros({cutoff})"
    spark.sql(f"DELETE FROM {location.sql_ref} WHERE {rule}").collect()
    return rule
