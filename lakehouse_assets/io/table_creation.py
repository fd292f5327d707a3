"""Create a table from its contract if it does not exist: the one way every writer does it
(assets and the TableWriter API alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.models import Column, TableContract
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io.table_lock import table_lock
from lakehouse_assets.tables.ddl import create_table_plan
from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def ensure_table(
    spark: SparkSession,
    capabilities: Capabilities,
    contract: TableContract,
    columns: list[Column],
    partitions: list[str],
    location: TableLocation,
) -> list[str]:
    """Returns the table properties the engine could not set (empty if the table existed).
    Creation holds the table's lock: two runs may both find it missing."""
    if location.exists(spark):
        return []
    with table_lock(location.path, "create"):
        if location.exists(spark):
            return []  # another run of this table created it while we waited
        plan = create_table_plan(contract, columns, partitions, location, capabilities)
        for statement in plan.statements:
            spark.sql(statement).collect()
        return plan.skipped
