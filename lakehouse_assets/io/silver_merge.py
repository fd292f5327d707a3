"""Silver writes: the strategy's merge plan, run on the batch (io/merge_execution.py), after
adding contract columns the table lacks when the contract allows it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io import frames
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.merge_execution import execute_merge
from lakehouse_assets.io.snapshot_source import history_source, record_versions, snapshot_source
from lakehouse_assets.io.tombstone_purge import add_stamps, purge_tombstones
from lakehouse_assets.strategies.base import NOW, MergeContext
from lakehouse_assets.strategies.registry import strategy_for
from lakehouse_assets.strategies.truncates import TRUNCATES_SUFFIX
from lakehouse_assets.tables.location import TableLocation, sibling_location
from lakehouse_assets.tables.physical import data_columns, physical_columns
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def merge_silver(
    spark: SparkSession,
    capabilities: Capabilities,
    asset: TableAsset,
    location: TableLocation,
    batch: TableBatch,
) -> dict[str, Any]:
    """Returns the merge's facts; `rows_written` is the number of rows the merge received."""
    from pyspark.sql import functions as F

    promo = asset.promotion
    assert promo is not None
    strategy = strategy_for(promo.strategy)
    facts: dict[str, Any] = {}
    added = evolve_schema(spark, capabilities, asset, location)
    if added:
        facts["columns_added"] = added
    data = batch.data
    snapshots = strategy.from_snapshots(promo)
    if snapshots:  # the snapshot compared with silver: its upserts and deletes
        keys = list(promo.merge_keys)
        if strategy.snapshot_history:
            s = promo.scd2
            data, compared = history_source(
                spark, data, keys, location, batch.partitions, s.valid_from, s.valid_to
            )
        else:
            data, compared = snapshot_source(spark, data, keys, location, batch.partitions)
        facts.update(compared)
    view = f"lh_batch_{uuid.uuid4().hex[:12]}"
    data.withColumn(NOW, F.current_timestamp()).createOrReplaceTempView(view)
    base = MergeContext(
        target=location.sql_ref,
        source=view,
        keys=list(promo.merge_keys),
        columns=data_columns(asset),
        order_col=promo.order_col,
        silver_timestamps=promo.metadata.add_silver_timestamps,
        op_col=strategy.op_column(promo, batch.data.columns),
        deletes=strategy.deletes(promo),
        order_then=tuple(promo.order_cols[1:]),
    )
    ctx = strategy.context(base, promo, asset.contract)
    locations = [location]
    side = strategy.side_table(ctx)
    stamped: TableLocation | None = None  # a side table whose rows the retention may purge
    if side is not None:
        side_location = sibling_location(location, side.suffix)
        stamps = [F.lit(None).cast(t).alias(n) for n, t in side.stamps.items()]
        if not side_location.exists(spark):
            empty = data.select(*side.columns, *stamps).limit(0)
            frames.write(empty, side_location, "append")
        elif side.stamps:
            add_stamps(spark, capabilities, side, side_location)
        stamped = side_location if side.stamps else None
        ctx = replace(ctx, companion=side_location.sql_ref)
        locations.append(side_location)
        facts["companion_table"] = side_location.label
    truncates = strategy.truncates(promo)
    if truncates:
        cut = sibling_location(location, TRUNCATES_SUFFIX)
        if not cut.exists(spark):
            frames.write(batch.data.select(*promo.order_cols).limit(0), cut, "append")
        truncating = batch.facts.get("truncate_events", 0) > 0
        ctx = replace(ctx, truncates=truncates, truncate_table=cut.sql_ref, truncating=truncating)
        facts["truncate_table"] = cut.label
    try:
        merged = execute_merge(
            spark, capabilities, strategy.plan, ctx, locations, whole_table=ctx.truncating
        )
    finally:
        spark.catalog.dropTempView(view)
    facts.update(merged)
    if stamped is not None and promo.tombstone_retention:
        facts["tombstones_purged_where"] = purge_tombstones(
            spark, stamped, promo.tombstone_retention
        )
    facts["rows_written"] = facts.pop("merge_source_rows")
    if snapshots:
        record_versions(spark, location, batch.partitions)
        # The row accounting counts the batch's rows: an older snapshot's rows are taken (its
        # version recorded) though they change nothing; the merge got rows plus delete markers.
        facts["snapshot_merge_rows"] = facts["rows_written"]
        facts["rows_written"] = batch.data.count()
    return facts


def evolve_schema(
    spark: SparkSession,
    capabilities: Capabilities,
    asset: TableAsset,
    location: TableLocation,
) -> list[str]:
    """Columns the contract gained since the table was created: added when the promotion
    (or table properties) say merge_schema, else an error naming them."""
    existing = set(location.read(spark).columns)
    new = [c for c in physical_columns(asset) if c.name not in existing]
    if not new:
        return []
    names = [c.name for c in new]
    promo = asset.promotion
    if not (asset.contract.merge_schema or (promo is not None and promo.merge_schema)):
        raise ValueError(
            f"{location.label}: the contract has columns the table lacks: {names}; "
            f'set "merge_schema": true in {asset.producer_file.name} to add them, '
            "or remove them from the contract"
        )
    table_ops(spark, location, capabilities).add_columns(new)
    return names
