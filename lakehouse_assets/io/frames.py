"""Writing a DataFrame to a table location: the one place that calls DataFrameWriter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def write(
    df: DataFrame,
    location: TableLocation,
    mode: str,
    replace_where: str | None = None,
    merge_schema: bool = False,
    partition_by: list[str] | None = None,
) -> None:
    writer = df.write.format("delta").mode(mode)
    if replace_where:
        writer = writer.option("replaceWhere", replace_where)
    if merge_schema:
        writer = writer.option("mergeSchema", "true")
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    if location.by_path:
        writer.save(location.path)
    else:
        writer.saveAsTable(location.name)
