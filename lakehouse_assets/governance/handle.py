"""One governed table: its contract, where it lives, and the engine that reads and writes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.identifiers import literal, quote
from lakehouse_assets.contracts.models import Column, TableContract
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.tables.location import TableLocation, locate

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lakehouse_assets.engine.resource import SparkResource


@dataclass
class GovernedTable:
    contract: TableContract
    location: TableLocation
    spark: SparkSession
    capabilities: Capabilities
    asset: TableAsset | None = None  # set when the table is built by a contract of the project

    @property
    def merge_keys(self) -> list[str]:
        return list(self.asset.promotion.merge_keys) if self.asset and self.asset.promotion else []

    @property
    def order_col(self) -> str | None:
        return self.asset.promotion.order_col if self.asset and self.asset.promotion else None

    @property
    def order_then(self) -> list[str]:
        """sequence_by's columns after order_col (compared field by field)."""
        return self.asset.promotion.order_cols[1:] if self.asset and self.asset.promotion else []

    def physical_columns(self) -> list[Column]:
        from lakehouse_assets.tables.physical import physical_columns

        return physical_columns(self.asset) if self.asset else list(self.contract.columns)

    def partition_columns(self) -> list[str]:
        from lakehouse_assets.tables.physical import partition_columns

        return partition_columns(self.asset) if self.asset else list(self.contract.partitions)


class GovernedAccess:
    """What TableReader and TableWriter share: the table, by asset key, contract name, or an
    already opened GovernedTable (default project and engine from the environment)."""

    def __init__(
        self,
        table: str | tuple[str, str, str] | GovernedTable,
        project: Project | None = None,
        spark: SparkResource | None = None,
    ):
        self.table = (
            table if isinstance(table, GovernedTable) else open_table(table, project, spark)
        )


def open_table(
    table: str | tuple[str, str, str],
    project: Project | None = None,
    spark: SparkResource | None = None,
) -> GovernedTable:
    """A table by asset key ("silver/shop/customers") or contract name ("shop.customers")."""
    from lakehouse_assets.code_location import spark_from_env
    from lakehouse_assets.project_loader import load_project_or_raise

    project = project or load_project_or_raise()
    resource = spark or spark_from_env()
    key = _resolve(project, table)
    asset = project.assets.get(key)
    contract = project.table_for(key).contract
    location = locate(key[0], contract, project.environment, resource.capabilities)
    return GovernedTable(contract, location, resource.get_session(), resource.capabilities, asset)


def _resolve(project: Project, table: str | tuple[str, str, str]) -> tuple[str, str, str]:
    if isinstance(table, tuple):
        return table
    if "/" in table:
        layer, schema, name = table.split("/")
        return (layer, schema, name)
    schema, _, name = table.rpartition(".")
    known = list(project.assets) + list(project.external)
    found = [k for k in known if k[1:] == (schema.split(".")[-1], name)]
    if len(found) != 1:
        raise KeyError(
            f"table {table!r}: {'ambiguous: ' + str(found) if found else 'unknown'}; "
            f"name it by asset key, one of {sorted('/'.join(k) for k in known)}"
        )
    return found[0]


def equals(values: dict[str, Any]) -> str:
    """{col: value} -> a SQL predicate (None means IS NULL)."""
    if not values:
        raise ValueError("give at least one partition column and value")
    return " AND ".join(
        f"{quote(c)} IS NULL" if v is None else f"{quote(c)} = {literal(v)}"
        for c, v in values.items()
    )
