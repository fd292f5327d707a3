"""Gold: the contract's SQL with table names rewritten for the engine, or a Python builder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lakehouse_assets.assets.python_gold import registered_builders
from lakehouse_assets.contracts.gold_sql import rewrite_tables
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.tables.location import locate_key

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def engine_sql(project: Project, asset: TableAsset, capabilities: Capabilities) -> str:
    """The gold SQL with each table it reads replaced by the engine's reference to it."""
    assert asset.sql is not None
    refs = dict(asset.sql_refs)
    return rewrite_tables(
        asset.sql, lambda ref: locate_key(project, refs[ref], capabilities).sql_ref
    )


@dataclass
class GoldInputs:
    """What a Python gold builder gets: the session and its upstream tables by schema.table."""

    spark: SparkSession
    project: Project
    capabilities: Capabilities
    asset: TableAsset

    def table(self, name: str) -> DataFrame:
        schema, table = name.split(".", 1)
        key = next(k for k in self.asset.deps if k[1:] == (schema, table))
        return locate_key(self.project, key, self.capabilities).read(self.spark)


def gold_frame(
    spark: SparkSession, capabilities: Capabilities, project: Project, asset: TableAsset
) -> DataFrame:
    if asset.kind == "gold_sql":
        return spark.sql(engine_sql(project, asset, capabilities))
    builder = registered_builders()[f"{asset.contract.schema_}.{asset.contract.name}"]
    return builder.fn(GoldInputs(spark, project, capabilities, asset))
