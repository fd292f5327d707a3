"""Silver strategies: one module each, every one a `Strategy` (strategies/strategy.py)
registered by name here."""

from __future__ import annotations

from lakehouse_assets.strategies import cdc_merge, scd2, snapshot_cdc, upsert
from lakehouse_assets.strategies.registry import register, strategy_for
from lakehouse_assets.strategies.strategy import SideTable, Strategy

# In this order, messages list the names.
for _builtin in (
    upsert.UPSERT,
    cdc_merge.CDC_MERGE,
    upsert.INCREMENTAL_REPLACE,
    upsert.APPEND_DEDUP,
    scd2.SCD2,
    upsert.SCD1,
    snapshot_cdc.SNAPSHOT_CDC,
):
    register(_builtin)

__all__ = ["SideTable", "Strategy", "register", "strategy_for"]
