"""A strategy turns a prepared batch into a merge plan: SQL text the IO manager executes.

Strategies never touch the engine, so each can be read and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lakehouse_assets.contracts.identifiers import quote

NOW = "_batch_ts"  # column of the source view holding the batch's timestamp


@dataclass(frozen=True)
class MergeContext:
    target: str  # SQL reference of the silver table
    source: str  # temp view of the prepared batch (one row per key unless the strategy says)
    keys: list[str]
    columns: list[str]  # data columns written from the source
    order_col: str | None  # sequence guard: an older event never overwrites newer state
    silver_timestamps: bool = True
    op_col: str = "op_type"
    soft_delete_col: str | None = None  # cdc_merge: soft delete into this column if set
    scd2_valid_from: str = "valid_from"
    scd2_valid_to: str = "valid_to"
    scd2_is_current: str = "is_current"


@dataclass(frozen=True)
class MergePlan:
    statements: list[str]
    summary: str
    params: dict[str, str] = field(default_factory=dict)


def key_match(ctx: MergeContext, t: str = "t", s: str = "s") -> str:
    return " AND ".join(f"{t}.{quote(k)} = {s}.{quote(k)}" for k in ctx.keys)


def newer(ctx: MergeContext, t: str = "t", s: str = "s") -> str:
    """The source row may replace the target row: it is not older (null order = oldest)."""
    if not ctx.order_col:
        return "TRUE"
    o = quote(ctx.order_col)
    return f"({t}.{o} IS NULL OR ({s}.{o} IS NOT NULL AND {s}.{o} >= {t}.{o}))"


def changed(ctx: MergeContext, columns: list[str], t: str = "t", s: str = "s") -> str:
    """Any written column differs (null-safe); unchanged rows are left alone on re-runs."""
    if not columns:
        return "FALSE"
    return "NOT (" + " AND ".join(f"{t}.{quote(c)} <=> {s}.{quote(c)}" for c in columns) + ")"


def set_clause(ctx: MergeContext, columns: list[str], extra: dict[str, str] | None = None) -> str:
    pairs = [f"{quote(c)} = s.{quote(c)}" for c in columns]
    if ctx.silver_timestamps:
        pairs.append(f"`_silver_modified_at` = s.{NOW}")
    pairs += [f"{quote(k)} = {v}" for k, v in (extra or {}).items()]
    return ", ".join(pairs)


def insert_clause(
    ctx: MergeContext, columns: list[str], extra: dict[str, str] | None = None
) -> str:
    names = [quote(c) for c in columns]
    values = [f"s.{quote(c)}" for c in columns]
    if ctx.silver_timestamps:
        names += ["`_silver_created_at`", "`_silver_modified_at`"]
        values += [f"s.{NOW}", f"s.{NOW}"]
    for k, v in (extra or {}).items():
        names.append(quote(k))
        values.append(v)
    return f"({', '.join(names)}) VALUES ({', '.join(values)})"
