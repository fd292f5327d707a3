"""scd2: history per key, as Delta Live Tables' apply_changes(stored_as_scd_type=2).

Each version of a key is one silver row: its data columns, `valid_from` (the order value of
the event that opened it), `valid_to` (the order value of the next version or delete; NULL
while current) and `is_current`. An event whose tracked columns (all data columns but the
order column) equal the previous version's opens no version; a delete (op column D, when the
source has one) closes the current version and opens none; a later upsert opens a new one.

Out-of-order events: every distinct (key, order value) event is kept in a companion table
`<table>_scd2_events` (the winner per the shared ordering rule of base.py). For the keys of a
batch, the history is recomputed from that log and merged into silver on (keys, valid_from):
new versions are inserted, changed ones (valid_to, is_current, values) updated and versions
that no longer exist deleted, in one MERGE. Its source is one full outer join of the recomputed
history with the keys' versions in silver, so the history is computed once. A late event
therefore lands in the right place (splitting or closing versions), and the cost of a run is
the history of the batch's keys.
Events with a null order value cannot be placed and are quarantined by the silver batch.
With several sequence_by columns (Lakeflow's sequence_by=struct(...)), every step orders by all
of them, field by field; valid_from / valid_to then hold the STRUCT of them, as Lakeflow's
__START_AT / __END_AT do, and the log's identity is the keys plus every order column (the
key-slice write-back matches the struct field by field: io/slice_write_back.py).
With Lakeflow's ignore_null_updates or track_history_column_list / _except_column_list, the
history is built by strategies/scd2_columns.py instead (the rule is stated there).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import PromotionContract, TableContract
from lakehouse_assets.contracts.types import normalize_type
from lakehouse_assets.strategies.base import (
    NOW,
    MergeContext,
    MergePlan,
    Stage,
    changed,
    insert_clause,
    is_delete,
    key_match,
    order_by,
    order_value,
    row_hash,
    set_clause,
)
from lakehouse_assets.strategies.column_options import null_kept, tracked
from lakehouse_assets.strategies.event_log import logged as _logged
from lakehouse_assets.strategies.event_log import record_events as _record_events
from lakehouse_assets.strategies.scd2_columns import column_history
from lakehouse_assets.strategies.snapshot_cdc import ABSENT, VERSION, snapshot_problems
from lakehouse_assets.strategies.strategy import SideTable, Strategy

if TYPE_CHECKING:
    from lakehouse_assets.contracts.extensions import Problem, PromotionToCheck


@dataclass(frozen=True)
class Scd2Context(MergeContext):
    valid_from: str = "valid_from"
    valid_to: str = "valid_to"
    is_current: str = "is_current"
    # track_history_column_list resolved (strategies/column_options.py); None: the default.
    tracked: tuple[str, ...] | None = None

    @property
    def versions(self) -> list[str]:
        return [*self.columns, self.valid_from, self.valid_to, self.is_current]


class Scd2(Strategy):
    names = ("scd2",)
    needs_order = True
    reads_op = True
    snapshot_history = True
    ignores_nulls = True
    tracks_history = True

    def context(
        self, base: MergeContext, promo: PromotionContract, silver: TableContract
    ) -> MergeContext:
        s = promo.scd2
        if promo.from_snapshot:  # io/snapshot_source.py: snapshot rows and absence markers
            base = replace(base, order_col=VERSION, order_then=(), op_col=None, deletes=ABSENT)
        ctx = Scd2Context(
            **vars(base), valid_from=s.valid_from, valid_to=s.valid_to, is_current=s.is_current
        )
        return replace(
            ctx,
            ignore_nulls=null_kept(promo, base.columns, base.keys),
            tracked=tracked(promo, base.columns, base.order_col),
        )

    def from_snapshots(self, promo: PromotionContract) -> bool:
        return promo.from_snapshot

    def carried_columns(self, promo: PromotionContract) -> list[str]:
        return [VERSION] if promo.from_snapshot else []

    def op_column(self, promo: PromotionContract, source_columns: list[str]) -> str | None:
        return None if promo.from_snapshot else super().op_column(promo, source_columns)

    def filled_columns(
        self, promo: PromotionContract, silver: TableContract, source: TableContract | None
    ) -> dict[str, str | None]:
        kind = order_type(promo, source)
        if promo.from_snapshot:  # versions are snapshot dates
            kind = "DATE"
        s = promo.scd2
        return {s.valid_from: kind, s.valid_to: kind, s.is_current: "BOOLEAN"}

    def dedup_keys(self, promo: PromotionContract) -> list[str]:
        # History keeps every version: one event per (key, order value).
        if promo.from_snapshot:
            return [*promo.merge_keys, VERSION]
        return [*promo.merge_keys, *promo.order_cols]

    def required_values(self, promo: PromotionContract) -> dict[str, str]:
        if not promo.order_col or promo.from_snapshot:
            return {}
        return {o: f"null order column {o} (scd2 needs it)" for o in promo.order_cols}

    def unique_rows(self, promo: PromotionContract) -> str | None:
        return f"{quote(promo.scd2.is_current)} = true"

    def side_table(self, ctx: MergeContext) -> SideTable | None:
        return SideTable("_scd2_events", _logged(ctx))

    def contract_problems(self, check: PromotionToCheck) -> list[Problem]:
        problems = super().contract_problems(check)
        if check.promo.from_snapshot:  # ordered by snapshot version, no change rows
            mine = snapshot_problems(check)
            fields = {p[0] for p in mine} | {"watermark_col", "op_col"}
            problems = mine + [p for p in problems if p[0] not in fields]
        s = check.promo.scd2
        missing = [
            c
            for c in (s.valid_from, s.valid_to, s.is_current)
            if c not in check.silver.column_names
        ]
        if missing:
            problems.append(
                (
                    "scd2",
                    f"scd2 columns {missing} are not in {check.silver_file}",
                    "add them to the silver contract",
                    "error",
                )
            )
        return problems

    def plan(self, ctx: MergeContext) -> MergePlan:
        assert isinstance(ctx, Scd2Context) and ctx.order_col and ctx.companion, (
            "scd2 needs an order column and its event log"
        )
        staged = Stage(f"{ctx.source}_scd2", _versions_source(ctx))
        vf = quote(ctx.valid_from)
        merge = (
            f"MERGE INTO {ctx.target} t USING {staged.name} s ON {key_match(ctx)} "
            f"AND t.{vf} = s.{vf} "
            f"WHEN MATCHED AND s._action = 'delete' THEN DELETE "
            f"WHEN MATCHED AND {changed(ctx.versions)} "
            f"THEN UPDATE SET {set_clause(ctx, ctx.versions)} "
            f"WHEN NOT MATCHED AND s._action = 'upsert' "
            f"THEN INSERT {insert_clause(ctx, ctx.versions)}"
        )
        return MergePlan(
            [_record_events(ctx), staged, merge],
            f"scd2 history by merge keys, ordered by {', '.join(ctx.order_cols)}; "
            "late events re-placed",
            {ctx.companion: [*ctx.keys, *ctx.order_cols], ctx.target: [*ctx.keys, ctx.valid_from]},
        )


def _history(ctx: Scd2Context, batch_keys: str) -> str:
    """The batch keys' versions recomputed from the event log: an event opens a version when
    its state (tracked values, or D) differs from the previous event's."""
    assert ctx.order_col
    o, part = order_by(ctx), ", ".join(quote(k) for k in ctx.keys)
    # Tracked columns: every data column but the order columns themselves.
    tracked = [c for c in ctx.columns if c not in ctx.order_cols]
    value = row_hash(tracked, "l") if tracked else "'row'"
    state = f"CASE WHEN {is_delete(ctx, 'l')} THEN 'D' ELSE {value} END"
    events = (
        f"(SELECT l.*, {state} AS _state FROM {ctx.companion} l LEFT SEMI JOIN "
        f"{batch_keys} b ON {key_match(ctx, 'l', 'b')})"
    )
    marked = (
        f"(SELECT e.*, lag(_state) OVER (PARTITION BY {part} ORDER BY {o}) AS _prev "
        f"FROM {events} e)"
    )
    kept = f"(SELECT m.* FROM {marked} m WHERE _prev IS NULL OR _prev <> _state)"
    vf, vt, cur = (quote(c) for c in (ctx.valid_from, ctx.valid_to, ctx.is_current))
    data = ", ".join(f"h.{quote(c)}" for c in ctx.columns)
    return (
        f"(SELECT {data}, h._from AS {vf}, h._next AS {vt}, h._next IS NULL AS {cur} FROM "
        f"(SELECT k.*, {order_value(ctx, 'k')} AS _from, lead({order_value(ctx, 'k')}) "
        f"OVER (PARTITION BY {part} ORDER BY {order_by(ctx, 'k')}) AS _next "
        f"FROM {kept} k) h WHERE h._state <> 'D')"
    )


def _versions_source(ctx: Scd2Context) -> str:
    """One pass over the recomputed history: a version silver holds that the history lacks
    (x without h) is deleted; the history's versions are upserted."""
    part = ", ".join(quote(k) for k in ctx.keys)
    batch_keys = f"(SELECT DISTINCT {part} FROM {ctx.source})"
    current = (
        "(SELECT " + ", ".join(f"x.{quote(c)}" for c in ctx.versions) + f" FROM "
        f"{ctx.target} x LEFT SEMI JOIN {batch_keys} b ON {key_match(ctx, 'x', 'b')})"
    )
    vf = quote(ctx.valid_from)
    # Lakeflow's column options take their own history (strategies/scd2_columns.py).
    optional = ctx.ignore_nulls or ctx.tracked is not None
    history = (
        column_history(ctx, batch_keys, ctx.tracked, (ctx.valid_from, ctx.valid_to, ctx.is_current))
        if optional
        else _history(ctx, batch_keys)
    )
    gone = f"h.{vf} IS NULL"
    cols = ", ".join(
        f"CASE WHEN {gone} THEN x.{quote(c)} ELSE h.{quote(c)} END AS {quote(c)}"
        for c in ctx.versions
    )
    return (
        f"SELECT {cols}, CASE WHEN {gone} THEN 'delete' ELSE 'upsert' END AS _action, "
        f"current_timestamp() AS {NOW} FROM {history} h FULL OUTER JOIN "
        f"{current} x ON {key_match(ctx, 'h', 'x')} AND h.{vf} = x.{vf}"
    )


SCD2 = Scd2()


def order_type(promo: PromotionContract, source: TableContract | None) -> str | None:
    """The SQL type of the order value valid_from / valid_to hold: the order column's, or with
    several sequence_by columns STRUCT<col: type, ...> (None: a type cannot be told)."""
    if source is None or not promo.order_cols:
        return None
    columns = [source.column(c) for c in promo.order_cols]
    if any(c is None for c in columns):
        return None
    if len(columns) == 1:
        return columns[0].type  # type: ignore[union-attr]
    fields = ", ".join(f"{c.name}: {c.type}" for c in columns if c is not None)
    return normalize_type(f"STRUCT<{fields}>")  # as the contract's types are: comparable
