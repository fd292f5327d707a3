"""Silver strategies: one module each, every one a `Strategy` (strategies/strategy.py)
registered by name here."""

from __future__ import annotations

from lakehouse_assets.strategies import cdc_merge, scd2, upsert
from lakehouse_assets.strategies.registry import register, strategy_for
from lakehouse_assets.strategies.strategy import SideTable, Strategy

for _builtin in (upsert.UPSERT, upsert.INCREMENTAL_REPLACE, upsert.APPEND_DEDUP,
                 cdc_merge.CDC_MERGE, scd2.SCD2):
    register(_builtin)

__all__ = ["SideTable", "Strategy", "register", "strategy_for"]
