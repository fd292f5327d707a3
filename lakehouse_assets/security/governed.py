"""The governed reader: a table with its contract's masks applied unless the caller is
privileged. On Databricks the same masks are Unity Catalog column masks (see plan.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.project import AssetKeyPath, Project
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.security.masks import mask_sql
from lakehouse_assets.tables.location import locate_key

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def governed_read(
    spark: SparkSession,
    project: Project,
    key: AssetKeyPath,
    capabilities: Capabilities,
    privileged: bool = False,
) -> DataFrame:
    from pyspark.sql import functions as F

    table = project.table_for(key)
    df = locate_key(project, key, capabilities).read(spark)
    if privileged:
        return df
    masks = {c.name: c.mask for c in table.contract.columns if c.mask}
    where = f"{table.file}: "
    return df.select(
        *[
            F.expr(mask_sql(masks[c], quote(c), where)).alias(c) if c in masks else F.col(c)
            for c in df.columns
        ]
    )
