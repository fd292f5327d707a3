"""A strategy turns a prepared batch into a merge plan: SQL text the IO manager executes.

Strategies never touch the engine, so each can be read and tested on its own.

The ordering rule every strategy shares (within a batch and across batches, so that processing
partitions in any order converges to the same table): event A beats event B of the same key when
1. A's order column (sequence_by, else watermark_col) is greater; null is the oldest value;
2. on equal order values, a delete beats an upsert (cdc_merge, scd2 with an op column);
3. then the greater sha256 of the JSON of the silver data columns (`to_json(struct(...))`,
   nulls omitted) wins: a total order computed from what silver itself stores.
Without an order column, the batch processed last wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lakehouse_assets.contracts.framework_columns import SILVER_CREATED, SILVER_MODIFIED
from lakehouse_assets.contracts.identifiers import quote, sql_string
from lakehouse_assets.contracts.sql_expressions import columns_used, parse_expression, qualified

NOW = "_batch_ts"  # column of the source view holding the batch's timestamp
DELETE_OPS = ("D", "DELETE")
# Every op a CDC event may carry, compared upper-cased (DKOps writes I/U/D). Anything else, or
# NULL, is never applied: silver quarantines the event with the reason. With the promotion's
# op_case_sensitive, only these spellings pass that gate (assets/silver.py), so the upper()
# of delete_predicate below sees only them and needs no switch of its own.
KNOWN_OPS = ("I", "U", "D", "INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class MergeContext:
    """What every plan builder gets; a strategy that needs more subclasses it
    (`Strategy.context`), so adding a strategy never widens this class."""

    target: str  # SQL reference of the silver table
    source: str  # temp view of the prepared batch (one row per key unless the strategy says)
    keys: list[str]
    columns: list[str]  # data columns written from the source
    order_col: str | None  # sequence guard: an older event never overwrites newer state
    silver_timestamps: bool = True
    op_col: str | None = None  # the source's operation column, when the strategy reads it
    # The promotion's apply_as_deletes (a SQL boolean over the source row), replacing the op test.
    deletes: str | None = None
    # SQL reference of the strategy's side table (Strategy.side_table).
    companion: str | None = None
    # sequence_by's further columns: the order is the struct (order_col, *order_then),
    # compared field by field (Lakeflow's sequence_by=struct(...)).
    order_then: tuple[str, ...] = ()
    # apply_as_truncates (strategies/truncates.py): the predicate, the SQL reference of the
    # table holding the greatest truncate's order value, and whether this batch carries one.
    truncates: str | None = None
    truncate_table: str | None = None
    truncating: bool = False
    # Data columns whose NULL in an update keeps the stored value (Lakeflow's
    # ignore_null_updates, resolved by strategies/column_options.py): strategies/null_updates.py.
    ignore_nulls: tuple[str, ...] = ()

    @property
    def order_cols(self) -> list[str]:
        return [self.order_col, *self.order_then] if self.order_col else []


@dataclass(frozen=True)
class Stage:
    """A query the executor computes once into a view named `name` before the statements
    after it run (Sail re-evaluates a complex MERGE source per clause: 3x slower inline)."""

    name: str
    select: str


@dataclass(frozen=True)
class MergePlan:
    statements: list[str | Stage]
    summary: str
    # The tables the statements write (SQL reference) and the columns that identify one row
    # in each. Every plan reads and writes only rows whose merge keys are in the source, which
    # lets io/key_slice_merge.py run it on a slice of the tables.
    identities: dict[str, list[str]] = field(default_factory=dict)


def key_match(ctx: MergeContext, t: str = "t", s: str = "s") -> str:
    return " AND ".join(f"{t}.{quote(k)} = {s}.{quote(k)}" for k in ctx.keys)


def row_hash(columns: list[str], alias: str | None = None) -> str:
    """Tie-break value of a row: sha256 of the JSON of its data columns (rule 3 above). The
    one definition: batch dedup, merges and the governance diff all use this text."""
    prefix = f"{alias}." if alias else ""
    fields = ", ".join(f"{prefix}{quote(c)}" for c in columns)
    return f"sha2(to_json(struct({fields})), 256)"


def delete_predicate(
    op_col: str | None, alias: str | None = None, deletes: str | None = None
) -> str:
    """SQL that is TRUE for a delete event and FALSE otherwise, never NULL (a NULL op is not a
    delete): the one definition, used by batch dedup, rule exemptions, quarantine and every
    merge. `deletes` (the promotion's apply_as_deletes, Lakeflow's name) replaces the op test."""
    if deletes:
        return f"coalesce({qualified(deletes, alias)}, FALSE)"
    if not op_col:
        return "FALSE"
    prefix = f"{alias}." if alias else ""
    ops = ", ".join(sql_string(o) for o in DELETE_OPS)
    return f"coalesce(upper({prefix}{quote(op_col)}) IN ({ops}), FALSE)"


def truncate_predicate(truncates: str, alias: str | None = None) -> str:
    """SQL that is TRUE for a truncate event (the promotion's apply_as_truncates, Lakeflow's
    name), never NULL: the one definition, used by the batch, rule exemptions and the merge."""
    return f"coalesce({qualified(truncates, alias)}, FALSE)"


def truncate_columns(truncates: str | None) -> list[str]:
    """The source columns apply_as_truncates reads: the batch carries them."""
    return columns_used(parse_expression(truncates, "apply_as_truncates")) if truncates else []


def delete_columns(op_col: str | None, deletes: str | None) -> list[str]:
    """The source columns the delete predicate reads: the batch and event logs carry them."""
    if deletes:
        return columns_used(parse_expression(deletes, "apply_as_deletes"))
    return [op_col] if op_col else []


def is_delete(ctx: MergeContext, alias: str = "s") -> str:
    return delete_predicate(ctx.op_col, alias, ctx.deletes)


def hash_greater(ctx: MergeContext, t: str = "t", s: str = "s") -> str:
    return f"{row_hash(ctx.columns, s)} > {row_hash(ctx.columns, t)}"


def newer(ctx: MergeContext, tie: str = "FALSE", t: str = "t", s: str = "s") -> str:
    """The source event beats the target's: greater order value (null = oldest), or equal
    order values and `tie` holds. Without an order column the source always wins. Several
    order columns compare field by field, each with null oldest: the first that differs
    decides (a null field loses to any value there, whatever the later fields hold)."""
    if not ctx.order_col:
        return "TRUE"
    # coalesce: never NULL, so NOT newer(...) is as safe as newer(...) in joins and clauses.
    # CASE: the engine evaluates `tie` (row hashes) only for the rows with equal order values.
    wins, same = [], []
    for column in ctx.order_cols:
        o = quote(column)
        beats = f"coalesce({s}.{o} > {t}.{o}, FALSE) OR ({t}.{o} IS NULL AND {s}.{o} IS NOT NULL)"
        wins.append(f"({' AND '.join(same)} AND ({beats}))" if same else beats)
        same.append(f"{s}.{o} <=> {t}.{o}")
    return f"({' OR '.join(wins)} OR CASE WHEN {' AND '.join(same)} THEN {tie} ELSE FALSE END)"


def changed(columns: list[str], t: str = "t", s: str = "s") -> str:
    """Any written column differs (null-safe); unchanged rows are left alone on re-runs."""
    if not columns:
        return "FALSE"
    return "NOT (" + " AND ".join(f"{t}.{quote(c)} <=> {s}.{quote(c)}" for c in columns) + ")"


def set_clause(ctx: MergeContext, columns: list[str], extra: dict[str, str] | None = None) -> str:
    pairs = [f"{quote(c)} = s.{quote(c)}" for c in columns]
    if ctx.silver_timestamps:
        pairs.append(f"{quote(SILVER_MODIFIED)} = s.{NOW}")
    pairs += [f"{quote(k)} = {v}" for k, v in (extra or {}).items()]
    return ", ".join(pairs)


def insert_clause(
    ctx: MergeContext, columns: list[str], extra: dict[str, str] | None = None
) -> str:
    names = [quote(c) for c in columns]
    values = [f"s.{quote(c)}" for c in columns]
    if ctx.silver_timestamps:
        names += [quote(SILVER_CREATED), quote(SILVER_MODIFIED)]
        values += [f"s.{NOW}", f"s.{NOW}"]
    for k, v in (extra or {}).items():
        names.append(quote(k))
        values.append(v)
    return f"({', '.join(names)}) VALUES ({', '.join(values)})"


def order_by(ctx: MergeContext, alias: str | None = None, direction: str = "") -> str:
    """ORDER BY text over every order column (sequence_by's list, field by field), for the
    window functions of the event logs, whose order values are never NULL (quarantined)."""
    prefix = f"{alias}." if alias else ""
    suffix = f" {direction}" if direction else ""
    return ", ".join(f"{prefix}{quote(c)}{suffix}" for c in ctx.order_cols)


def order_value(ctx: MergeContext, alias: str | None = None) -> str:
    """The order value as one SQL value: the column, or with several sequence_by columns the
    struct of them (Lakeflow's sequence_by=struct(...), which scd2's valid_from/valid_to take)."""
    prefix = f"{alias}." if alias else ""
    if len(ctx.order_cols) == 1:
        return f"{prefix}{quote(ctx.order_cols[0])}"
    fields = ", ".join(f"{sql_string(c)}, {prefix}{quote(c)}" for c in ctx.order_cols)
    return f"named_struct({fields})"


def order_match(ctx: MergeContext, t: str = "t", s: str = "s") -> str:
    """Same order value in every order column (the event logs' identity beside the keys)."""
    return " AND ".join(f"{t}.{quote(c)} = {s}.{quote(c)}" for c in ctx.order_cols)
