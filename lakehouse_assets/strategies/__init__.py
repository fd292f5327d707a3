"""Silver strategies: one small module each, every one a function MergeContext -> MergePlan."""

from __future__ import annotations

from collections.abc import Callable

from lakehouse_assets.strategies import append_dedup, cdc_merge, scd2, upsert
from lakehouse_assets.strategies.base import MergeContext, MergePlan

PLANNERS: dict[str, Callable[[MergeContext], MergePlan]] = {
    "full_merge": upsert.plan,
    "incremental_replace": upsert.plan,
    "scd1": upsert.plan,
    "cdc_merge": cdc_merge.plan,
    "append_dedup": append_dedup.plan,
    "scd2": scd2.plan,
}

# A strategy that needs a side table next to silver: its suffix and its columns (taken from the
# prepared batch). cdc_merge with hard deletes remembers tombstones; scd2 logs its events.
COMPANIONS: dict[str, tuple[str, Callable[[MergeContext], list[str] | None]]] = {
    "cdc_merge": ("_tombstones", cdc_merge.companion_columns),
    "scd2": ("_scd2_events", scd2.companion_columns),
}


def planner(strategy: str) -> Callable[[MergeContext], MergePlan]:
    try:
        return PLANNERS[strategy]
    except KeyError:
        raise NotImplementedError(
            f"strategy {strategy!r} has no planner yet; available: {sorted(PLANNERS)}"
        ) from None


def companion(strategy: str, ctx: MergeContext) -> tuple[str, list[str]] | None:
    """(table suffix, columns) of the strategy's side table, or None if it needs none."""
    if strategy not in COMPANIONS:
        return None
    suffix, columns = COMPANIONS[strategy]
    cols = columns(ctx)
    return (suffix, cols) if cols else None
