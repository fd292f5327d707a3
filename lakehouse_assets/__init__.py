"""Versioned table and ingestion contracts become a governed Delta lakehouse of Dagster assets.

The public API, importable from here (each loads on first use, so importing the package
stays light: a Python gold module pays for nothing it does not touch):

- `build_definitions(project_dir, env, spark, translator)`: the Dagster Definitions of a
  contract folder; `ContractTranslator` to change how contracts become asset specs;
- `LakehouseComponent`: the same as a Dagster Component in a defs.yaml (`dg` tools, several
  contract folders in one code location);
- `SparkResource` (local Sail, Spark Connect, classic Spark, Databricks) and `DeltaIOManager`;
- `load_project(root, env)`: the loaded, validated contracts;
- `TableReader` / `TableWriter`: governed reads and writes of a contract's table;
- `gold_builder`: register a Python function that builds a gold table;
- `register_mask`: register a named column mask for governance;
- `Strategy` and `register_strategy`: add a silver strategy (strategies/strategy.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lakehouse_assets.assets.python_gold import gold_builder
    from lakehouse_assets.assets.translator import ContractTranslator
    from lakehouse_assets.code_location import build_definitions
    from lakehouse_assets.component import LakehouseComponent
    from lakehouse_assets.delta_io_manager import DeltaIOManager
    from lakehouse_assets.engine.resource import SparkResource
    from lakehouse_assets.governance.reader import TableReader
    from lakehouse_assets.governance.writer import TableWriter
    from lakehouse_assets.project_loader import load_project_or_raise as load_project
    from lakehouse_assets.security.masks import register_mask
    from lakehouse_assets.strategies.registry import register as register_strategy
    from lakehouse_assets.strategies.strategy import Strategy

_WHERE = {
    "build_definitions": ("lakehouse_assets.code_location", "build_definitions"),
    "ContractTranslator": ("lakehouse_assets.assets.translator", "ContractTranslator"),
    "LakehouseComponent": ("lakehouse_assets.component", "LakehouseComponent"),
    "DeltaIOManager": ("lakehouse_assets.delta_io_manager", "DeltaIOManager"),
    "SparkResource": ("lakehouse_assets.engine.resource", "SparkResource"),
    "load_project": ("lakehouse_assets.project_loader", "load_project_or_raise"),
    "TableReader": ("lakehouse_assets.governance.reader", "TableReader"),
    "TableWriter": ("lakehouse_assets.governance.writer", "TableWriter"),
    "gold_builder": ("lakehouse_assets.assets.python_gold", "gold_builder"),
    "register_mask": ("lakehouse_assets.security.masks", "register_mask"),
    "Strategy": ("lakehouse_assets.strategies.strategy", "Strategy"),
    "register_strategy": ("lakehouse_assets.strategies.registry", "register"),
}
__all__ = [
    "ContractTranslator",
    "DeltaIOManager",
    "LakehouseComponent",
    "SparkResource",
    "Strategy",
    "TableReader",
    "TableWriter",
    "build_definitions",
    "gold_builder",
    "load_project",
    "register_mask",
    "register_strategy",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'lakehouse_assets' has no attribute {name!r}")
    module, attr = _WHERE[name]
    return getattr(importlib.import_module(module), attr)


def __dir__() -> list[str]:
    # dg finds components by dir() of the registry module (here, the package): list the lazy
    # names too, or `dg list components` would not see LakehouseComponent.
    return sorted({*globals(), *_WHERE})
