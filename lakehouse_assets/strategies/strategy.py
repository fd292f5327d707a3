"""What one silver strategy decides, in one object: its merge plan and every rule the rest of
the framework asks of it (columns it fills, side table, dedup keys, which rows it cannot take,
which rows must be unique, what it demands of its contracts).

Nothing outside `strategies/` compares a strategy's name: it asks the registered `Strategy`
(strategies/registry.py). A new strategy is one module with a subclass, registered there.
The defaults below are the plain upsert's answers; a strategy overrides what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lakehouse_assets.strategies.base import (
    MergeContext,
    MergePlan,
    delete_columns,
    truncate_columns,
)
from lakehouse_assets.strategies.column_options import (
    column_option_problems,
    stored_column_problems,
)

if TYPE_CHECKING:
    from lakehouse_assets.contracts.extensions import Problem, PromotionToCheck
    from lakehouse_assets.contracts.models import PromotionContract, TableContract


@dataclass(frozen=True)
class SideTable:
    """A table the strategy keeps beside silver (`<table><suffix>`), made from these columns
    of the prepared batch."""

    suffix: str
    columns: list[str]
    # Columns the strategy fills itself (not from the batch): name -> SQL type.
    stamps: dict[str, str] = field(default_factory=dict)


class Strategy:
    names: tuple[str, ...] = ()  # what promotion contracts write in `strategy` (aliases too)
    needs_order: bool = False  # a promotion without sequence_by/watermark_col is an error
    needs_op: bool = False  # the source must carry the operation column (op_col)
    reads_op: bool = False  # honours the op column when the source has one
    # The first version of a key wins (append_dedup): the batch keeps each key's oldest event
    # and the merge replaces a row only by an older one, instead of the newest.
    keeps_first: bool = False
    # From snapshots (from_snapshots): keeps a history of versions (scd2) rather than the
    # newest snapshot's state (io/snapshot_source.py builds the merge source accordingly).
    snapshot_history: bool = False
    # Lakeflow's column options this strategy honours (strategies/column_options.py).
    ignores_nulls: bool = False  # ignore_null_updates and its column lists
    tracks_history: bool = False  # track_history_column_list / _except_column_list
    # Takes apply_as_truncates (Lakeflow: SCD type 1 only): a truncate empties the table.
    applies_truncates: bool = False

    def plan(self, ctx: MergeContext) -> MergePlan:
        raise NotImplementedError

    def context(
        self, base: MergeContext, promo: PromotionContract, silver: TableContract
    ) -> MergeContext:
        """The context the plan needs; a strategy with more settings returns a subclass."""
        return base

    def side_table(self, ctx: MergeContext) -> SideTable | None:
        return None

    def filled_columns(
        self, promo: PromotionContract, silver: TableContract, source: TableContract | None
    ) -> dict[str, str | None]:
        """Silver columns the strategy fills itself -> the type it fills them with (None: the
        type cannot be told without the source contract)."""
        return {}

    def op_column(self, promo: PromotionContract, source_columns: list[str]) -> str | None:
        """The operation column the batch and the merge read, if any."""
        if self.needs_op or (self.reads_op and promo.op_col in source_columns):
            return promo.op_col
        return None

    def deletes(self, promo: PromotionContract) -> str | None:
        """The promotion's apply_as_deletes, when this strategy applies deletes."""
        return promo.apply_as_deletes if self.needs_op or self.reads_op else None

    def truncates(self, promo: PromotionContract) -> str | None:
        """The promotion's apply_as_truncates, when this strategy applies truncates."""
        return promo.apply_as_truncates if self.applies_truncates else None

    def dedup_keys(self, promo: PromotionContract) -> list[str]:
        """One row per these columns survives the batch's dedup."""
        return list(promo.merge_keys)

    def from_snapshots(self, promo: PromotionContract) -> bool:
        """Each bronze partition is a full snapshot of the source (io/snapshot_source.py turns
        it into inserts, updates and deletes against silver)."""
        return False

    def keeps_tombstones(self, promo: PromotionContract, silver: TableContract) -> bool:
        """Deletes are remembered in a side table that tombstone_retention may purge."""
        return False

    def carried_columns(self, promo: PromotionContract) -> list[str]:
        """Bronze columns (not in silver) the batch keeps for the merge, e.g. the partition."""
        return []

    def required_values(self, promo: PromotionContract) -> dict[str, str]:
        """Column -> why: rows with NULL there cannot be placed and go to quarantine."""
        return {}

    def rule_exempt(self, op_col: str | None, deletes: str | None = None) -> str | None:
        """SQL marking rows that no row rule applies to (never NULL), or None."""
        return None

    def unique_rows(self, promo: PromotionContract) -> str | None:
        """SQL selecting the silver rows whose merge keys must be unique (None: all rows)."""
        return None

    def contract_problems(self, check: PromotionToCheck) -> list[Problem]:
        """What this strategy finds wrong with a promotion and its silver contract."""
        promo, silver, name = check.promo, check.silver, check.promo.strategy
        problems: list[Problem] = []
        if self.needs_op and promo.op_col not in check.promoted:
            problems.append(
                (
                    "op_col",
                    f"{name} needs the operation column {promo.op_col!r} in {check.source_file}",
                    "add it to the source or set op_col",
                    "error",
                )
            )
        if self.needs_order and not promo.order_col:
            problems.append(
                (
                    "watermark_col",
                    f"{name} needs an ordering column",
                    "set watermark_col (or sequence_by) to an event time or sequence",
                    "error",
                )
            )
        if promo.from_snapshot and not self.from_snapshots(promo):
            problems.append(
                (
                    "from_snapshot",
                    f"strategy {name} does not read snapshots",
                    "use strategy snapshot_cdc (SCD1) or scd2 with from_snapshot, or remove it",
                    "error",
                )
            )
        if promo.tombstone_retention is not None and not self.keeps_tombstones(promo, silver):
            problems.append(
                (
                    "tombstone_retention",
                    f"strategy {name} keeps no tombstones to purge here: tombstone_retention "
                    "applies to cdc_merge's hard deletes (<table>_tombstones); scd2's event log "
                    "is its history, soft-deleted rows are the table's own rows, and with "
                    "ignore_null_updates deletes live in its event log (<table>_cdc_events)",
                    "remove tombstone_retention, or use cdc_merge without an is_deleted column "
                    "and without ignore_null_updates",
                    "error",
                )
            )
        problems += _deletes_problems(self, check)
        problems += column_option_problems(check, self.ignores_nulls, self.tracks_history)
        problems += _op_case_problems(self, check)
        problems += _truncates_problems(self, check)
        filled = self.filled_columns(promo, silver, check.source)
        problems += stored_column_problems(check, self.ignores_nulls, set(filled), promo.order_col)
        for i, column in enumerate(silver.columns):
            kind = filled.get(column.name)
            if kind and column.type != kind:
                problems.append(
                    (
                        f"columns[{i}].type",
                        f"{column.name} is filled by {name} as {kind}, not {column.type}",
                        f"declare {column.name} as {kind}",
                        "error",
                    )
                )
        return problems


def _deletes_problems(strategy: Strategy, check: PromotionToCheck) -> list[Problem]:
    """apply_as_deletes only where deletes are applied, reading only promoted columns."""
    promo = check.promo
    if promo.apply_as_deletes is None:
        return []
    if strategy.deletes(promo) is None:
        return [
            (
                "apply_as_deletes",
                f"strategy {promo.strategy} applies no deletes",
                "remove apply_as_deletes, or use strategy cdc_merge or scd2",
                "error",
            )
        ]
    used = delete_columns(None, promo.apply_as_deletes)
    unknown = [c for c in used if c not in check.promoted]
    if not unknown:
        return []
    return [
        (
            "apply_as_deletes",
            f"apply_as_deletes reads columns {unknown} that are not in {check.source_file}",
            "name only source columns (after select_expr) or add them to the source contract",
            "error",
        )
    ]


def _op_case_problems(strategy: Strategy, check: PromotionToCheck) -> list[Problem]:
    """op_case_sensitive only where op values are read."""
    promo = check.promo
    if not promo.op_case_sensitive or strategy.needs_op or strategy.reads_op:
        return []
    return [
        (
            "op_case_sensitive",
            f"strategy {promo.strategy} reads no op values",
            "remove op_case_sensitive, or use strategy cdc_merge or scd2",
            "error",
        )
    ]


def _truncates_problems(strategy: Strategy, check: PromotionToCheck) -> list[Problem]:
    """apply_as_truncates only on a strategy that applies them, reading only promoted columns."""
    promo = check.promo
    if promo.apply_as_truncates is None:
        return []
    if strategy.truncates(promo) is None:
        return [
            (
                "apply_as_truncates",
                f"strategy {promo.strategy} applies no truncates (Lakeflow: SCD type 1 only)",
                "remove apply_as_truncates, or use strategy cdc_merge",
                "error",
            )
        ]
    used = truncate_columns(promo.apply_as_truncates)
    unknown = [c for c in used if c not in check.promoted]
    if not unknown:
        return []
    return [
        (
            "apply_as_truncates",
            f"apply_as_truncates reads columns {unknown} that are not in {check.source_file}",
            "name only source columns (after select_expr) or add them to the source contract",
            "error",
        )
    ]
