"""Silver strategies: one small module each, every one a function MergeContext -> MergePlan."""

from __future__ import annotations

from collections.abc import Callable

from lakehouse_assets.strategies import append_dedup, cdc_merge, upsert
from lakehouse_assets.strategies.base import MergeContext, MergePlan

PLANNERS: dict[str, Callable[[MergeContext], MergePlan]] = {
    "full_merge": upsert.plan,
    "incremental_replace": upsert.plan,
    "scd1": upsert.plan,
    "cdc_merge": cdc_merge.plan,
    "append_dedup": append_dedup.plan,
}


def planner(strategy: str) -> Callable[[MergeContext], MergePlan]:
    try:
        return PLANNERS[strategy]
    except KeyError:
        raise NotImplementedError(
            f"strategy {strategy!r} has no planner yet; available: {sorted(PLANNERS)}"
        ) from None
