"""Where a table lives and how SQL names it: a Delta path locally, a catalog name on Databricks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.environment import Environment
from lakehouse_assets.contracts.identifiers import quote, quote_path
from lakehouse_assets.contracts.models import TableContract
from lakehouse_assets.contracts.project import AssetKeyPath, Project
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.storage.delta import is_delta_table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@dataclass(frozen=True)
class TableLocation:
    label: str  # layer.schema.table, for messages
    path: str | None
    name: str | None  # catalog.schema.table (or schema.table) where the engine has a catalog
    by_path: bool

    @property
    def sql_ref(self) -> str:
        if self.by_path:
            assert self.path is not None
            return quote_path(self.path)
        assert self.name is not None
        return ".".join(quote(p) for p in self.name.split("."))

    def exists(self, spark: SparkSession) -> bool:
        if self.by_path:
            assert self.path is not None
            return is_delta_table(self.path)
        assert self.name is not None
        return bool(spark.catalog.tableExists(self.name))

    def read(self, spark: SparkSession, version: int | None = None) -> DataFrame:
        reader = spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        if self.by_path:
            return reader.load(self.path)
        if version is not None:
            return spark.sql(f"SELECT * FROM {self.sql_ref} VERSION AS OF {int(version)}")
        return spark.table(self.sql_ref)


def catalog_name(contract: TableContract) -> str:
    """catalog.schema.table (or schema.table without a catalog): the table's SQL name."""
    return ".".join(p for p in (contract.catalog, contract.schema_, contract.name) if p)


def locate(
    layer: str, contract: TableContract, env: Environment, capabilities: Capabilities
) -> TableLocation:
    """EXTERNAL: its location. Locally: {path.<layer>}/<schema>/<table>. Databricks: managed."""
    label = f"{layer}.{contract.schema_}.{contract.name}"
    name = catalog_name(contract)
    if contract.type == "EXTERNAL":
        return TableLocation(label, contract.location, name, capabilities.tables_by_path)
    if not capabilities.tables_by_path:
        return TableLocation(label, None, name, False)
    base = env.paths.get(layer)
    if not base:
        raise ValueError(
            f"{label}: environment {env.env!r} has no paths.{layer} in config.json "
            f"(add it, or make the table EXTERNAL with a location)"
        )
    return TableLocation(
        label, f"{base.rstrip('/')}/{contract.schema_}/{contract.name}", name, True
    )


def locate_key(project: Project, key: AssetKeyPath, capabilities: Capabilities) -> TableLocation:
    return locate(key[0], project.table_for(key).contract, project.environment, capabilities)


def sibling_location(location: TableLocation, suffix: str) -> TableLocation:
    """A table beside this one: <table><suffix> (quarantine, tombstones, scd2 event log)."""
    return TableLocation(
        f"{location.label}{suffix}",
        f"{location.path}{suffix}" if location.path else None,
        f"{location.name}{suffix}" if location.name else None,
        location.by_path,
    )


def quarantine_location(location: TableLocation) -> TableLocation:
    """<table>_quarantine beside the table: rows that could not be loaded, with the reason."""
    return sibling_location(location, "_quarantine")
