"""append_dedup: append events whose key silver does not hold yet; re-runs never duplicate.

A key already in silver is left alone unless the new event beats the stored one under the shared
ordering rule (a corrected re-send): then any processing order gives the same table.
"""

from __future__ import annotations

from lakehouse_assets.strategies import upsert
from lakehouse_assets.strategies.base import MergeContext, MergePlan


def plan(ctx: MergeContext) -> MergePlan:
    merge = upsert.plan(ctx)
    return MergePlan(merge.statements, "append new keys, dedup on merge keys", merge.identities)
