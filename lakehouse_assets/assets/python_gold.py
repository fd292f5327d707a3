"""Gold tables computed in Python: register a function for a gold table contract without SQL.

    from lakehouse_assets import gold_builder

    @gold_builder("sales.customer_ltv", deps=["sales.orders", "sales.customers"])
    def customer_ltv(inputs):            # inputs.table("sales.orders") -> DataFrame
        return inputs.table("sales.orders").groupBy("customer_id").sum("amount")

Modules holding builders are named in config.json `PYTHON_MODULES`, or published under the
entry point group `lakehouse_assets.gold_builders`; both are imported when contracts load.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

ENTRY_POINT_GROUP = "lakehouse_assets.gold_builders"


@dataclass(frozen=True)
class GoldBuilder:
    table: str  # "schema.table" of the gold contract it builds
    fn: Callable[[Any], Any]
    deps: tuple[str, ...]


_REGISTRY: dict[str, GoldBuilder] = {}


def gold_builder(table: str, deps: Sequence[str] = ()) -> Callable[[Callable], Callable]:
    """Register fn as the builder of gold table `schema.table`; deps are `schema.table` names."""

    def register(fn: Callable) -> Callable:
        _REGISTRY[table] = GoldBuilder(table, fn, tuple(deps))
        return fn

    return register


def registered_builders() -> dict[str, GoldBuilder]:
    return dict(_REGISTRY)


def unregister(table: str) -> None:
    _REGISTRY.pop(table, None)


def import_builder_modules(modules: Iterable[str]) -> None:
    for name in modules:
        importlib.import_module(name)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        ep.load()


class RegisteredBuilders:
    """The gold builders as the contract loader sees them (contracts.extensions.GoldBuilders)."""

    def deps(self, modules: list[str]) -> dict[str, tuple[str, ...]]:
        import_builder_modules(modules)
        return {table: builder.deps for table, builder in _REGISTRY.items()}
