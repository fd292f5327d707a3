"""Versioned table and ingestion contracts become a governed Delta lakehouse of Dagster assets."""

from lakehouse_assets.assets.python_gold import gold_builder

__all__ = ["gold_builder"]
