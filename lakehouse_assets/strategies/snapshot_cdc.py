"""snapshot_cdc: CDC from periodic full snapshots (Lakeflow's APPLY CHANGES FROM SNAPSHOT,
stored as SCD type 1).

The source has no operation column. Each bronze partition (day) of a `load_type: full`
ingestion is one snapshot, whose version is the partition date (all deliveries of one day
together are that day's snapshot; a key delivered twice in a day keeps one row by the shared
ordering rule of base.py). Against the previous snapshot, new keys are inserts, changed rows
updates and keys absent from the snapshot deletes.

Rule for snapshots processed in any order (backfills, re-runs): silver equals the newest
snapshot version processed so far, which is what applying every snapshot in version order
gives. io/snapshot_source.py remembers the processed versions in `<table>_snapshot_versions`;
a snapshot older than the newest one changes nothing (its version is recorded), a newer one
(or a re-run of the newest) is compared with silver. That io step hands this plan the
snapshot's rows plus one delete marker per silver key the snapshot lacks, so the plan, like
every plan, touches only the keys of its source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import PromotionContract
from lakehouse_assets.strategies.base import (
    MergeContext,
    MergePlan,
    changed,
    insert_clause,
    key_match,
    set_clause,
)
from lakehouse_assets.strategies.strategy import Strategy

if TYPE_CHECKING:
    from lakehouse_assets.contracts.extensions import Problem, PromotionToCheck

# Columns of the source view io/snapshot_source.py builds: TRUE on a delete marker (a silver
# key the snapshot lacks), and the bronze partition date, the snapshot's version.
ABSENT = "_snapshot_absent"
VERSION = "_ingested_date"
VERSIONS_SUFFIX = "_snapshot_versions"


def snapshot_problems(check: PromotionToCheck) -> list[Problem]:
    """Fields meaningless for a snapshot source: there is no change row to read them from."""
    promo, name = check.promo, check.promo.strategy
    set_fields = promo.model_fields_set
    problems: list[Problem] = []
    if "op_col" in set_fields:
        problems.append(
            (
                "op_col",
                f"{name} from snapshots reads no operation column: a key absent from the next "
                "snapshot is the delete",
                "remove op_col (or use strategy cdc_merge for a change feed)",
                "error",
            )
        )
    if promo.apply_as_deletes is not None:
        problems.append(
            (
                "apply_as_deletes",
                f"{name} from snapshots derives deletes from keys absent in the next snapshot; "
                "apply_as_deletes has no change row to judge",
                "remove apply_as_deletes (or use strategy cdc_merge for a change feed)",
                "error",
            )
        )
    return problems


class SnapshotCdc(Strategy):
    names = ("snapshot_cdc",)

    def from_snapshots(self, promo: PromotionContract) -> bool:
        return True

    def dedup_keys(self, promo: PromotionContract) -> list[str]:
        # One row per key and snapshot: a backfill run may hold several days.
        return [*promo.merge_keys, VERSION]

    def carried_columns(self, promo: PromotionContract) -> list[str]:
        return [VERSION]

    def contract_problems(self, check: PromotionToCheck) -> list[Problem]:
        problems = snapshot_problems(check)
        fields = {p[0] for p in problems}
        # The base class would report apply_as_deletes again, less precisely.
        return problems + [
            p for p in super().contract_problems(check) if p[0] not in fields | {"op_col"}
        ]

    def plan(self, ctx: MergeContext) -> MergePlan:
        gone = f"s.{quote(ABSENT)}"
        sql = (
            f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
            f"WHEN MATCHED AND {gone} THEN DELETE "
            f"WHEN MATCHED AND NOT {gone} AND {changed(ctx.columns)} "
            f"THEN UPDATE SET {set_clause(ctx, ctx.columns)} "
            f"WHEN NOT MATCHED AND NOT {gone} THEN INSERT {insert_clause(ctx, ctx.columns)}"
        )
        return MergePlan(
            [sql],
            "snapshot compare: insert new keys, update changed, delete absent",
            {ctx.target: ctx.keys},
        )


SNAPSHOT_CDC = SnapshotCdc()
