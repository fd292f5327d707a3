"""apply_as_truncates (Lakeflow AUTO CDC, SCD type 1: cdc_merge): a truncate event empties the
table, in any processing order.

A truncate at order value T removes every silver row whose order value is not greater than T
(equal values: the truncate wins, as a delete does; null is the oldest value, so a row with a
null order value goes with any truncate, and a truncate with a null order value removes only
such rows). The greatest T seen is kept in `<table>_truncates` (the order columns, one row): an
event not newer than it is dropped before the merge, so an older event replayed later never
comes back, while a newer one is applied as usual. Soft-deleted rows (is_deleted) are removed
too: Lakeflow's truncate leaves no row, tombstone or not. A truncate event never becomes a row.

A truncate is not key-local: a batch carrying one runs as the engine's MERGE on the whole table
(io/merge_execution.py, whole_table); other batches only read `<table>_truncates` and keep the
key-slice merge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.strategies.base import (
    MergeContext,
    MergePlan,
    Stage,
    insert_clause,
    newer,
    set_clause,
    truncate_predicate,
)

TRUNCATES_SUFFIX = "_truncates"


def with_truncates(ctx: MergeContext, plan_for: Callable[[MergeContext], MergePlan]) -> MergePlan:
    """The plan of `plan_for`, on the batch's events newer than the last truncate; first, for
    a batch carrying a truncate, the truncate remembered and applied to the whole table."""
    if not ctx.truncates:
        return plan_for(ctx)
    assert ctx.truncate_table and ctx.order_col, "apply_as_truncates needs its table and order"
    cut, is_cut = ctx.truncate_table, truncate_predicate(ctx.truncates, "s")
    statements: list[str | Stage] = []
    if ctx.truncating:
        order = ctx.order_cols
        plain = replace(ctx, silver_timestamps=False)  # the truncate table has no timestamps
        picked = ", ".join(f"s.{quote(c)}" for c in order)
        last = ", ".join(f"s.{quote(c)} DESC NULLS LAST" for c in order)
        statements += [
            f"MERGE INTO {cut} t USING (SELECT {picked} FROM {ctx.source} s WHERE {is_cut} "
            f"ORDER BY {last} LIMIT 1) s ON TRUE "
            f"WHEN MATCHED AND {newer(ctx)} THEN UPDATE SET {set_clause(plain, order)} "
            f"WHEN NOT MATCHED THEN INSERT {insert_clause(plain, order)}",
            # Every row not newer than the truncate goes (the cut table has one row).
            f"MERGE INTO {ctx.target} t USING {cut} c ON NOT {newer(ctx, 'FALSE', 'c', 't')} "
            "WHEN MATCHED THEN DELETE",
        ]
    live = Stage(
        f"{ctx.source}_live",
        f"SELECT s.* FROM {ctx.source} s LEFT ANTI JOIN {cut} c "
        f"ON NOT {newer(ctx, 'FALSE', 'c', 's')} WHERE NOT {is_cut}",
    )
    inner = plan_for(replace(ctx, source=live.name))
    return MergePlan(
        [*statements, live, *inner.statements],
        f"{inner.summary}; truncates (apply_as_truncates)",
        inner.identities,
    )
