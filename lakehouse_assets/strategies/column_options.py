"""Lakeflow AUTO CDC's column options on a promotion, resolved to column names and checked.

- ignore_null_updates / ignore_null_updates_column_list / ignore_null_updates_except_column_list
  (cdc_merge, scd2; at most one): the data columns whose NULL in an update keeps the stored
  value (the rule itself: strategies/null_updates.py).
- track_history_column_list / track_history_except_column_list (scd2; at most one): the
  columns whose change opens a new version (the rule: strategies/scd2_columns.py).
- column_list / except_column_list (cdc_merge, scd2; at most one): which source columns silver
  stores. Here the silver contract's columns already decide that (only they are written,
  compared for changes and hashed for tie-breaks), so the option is a declaration that must
  agree with the contract: each disagreement is a load error naming the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lakehouse_assets.contracts.extensions import Problem, PromotionToCheck
    from lakehouse_assets.contracts.models import PromotionContract

NULL_FIELDS = (
    "ignore_null_updates",
    "ignore_null_updates_column_list",
    "ignore_null_updates_except_column_list",
)
HISTORY_FIELDS = ("track_history_column_list", "track_history_except_column_list")
STORED_FIELDS = ("column_list", "except_column_list")


def _set(promo: PromotionContract, fields: tuple[str, ...]) -> list[str]:
    """The fields of the group the contract sets (a false flag is not set)."""
    return [f for f in fields if getattr(promo, f) not in (None, False)]


def ignores_nulls(promo: PromotionContract) -> bool:
    """The promotion sets one of the ignore_null_updates fields."""
    return bool(_set(promo, NULL_FIELDS))


def null_kept(promo: PromotionContract, columns: list[str], keys: list[str]) -> tuple[str, ...]:
    """Data columns whose NULL in an update keeps the stored value (keys are never NULL)."""
    values = [c for c in columns if c not in keys]
    if promo.ignore_null_updates:
        return tuple(values)
    if promo.ignore_null_updates_column_list is not None:
        return tuple(c for c in values if c in promo.ignore_null_updates_column_list)
    if promo.ignore_null_updates_except_column_list is not None:
        return tuple(c for c in values if c not in promo.ignore_null_updates_except_column_list)
    return ()


def tracked(
    promo: PromotionContract, columns: list[str], order_col: str | None
) -> tuple[str, ...] | None:
    """Columns whose change opens a new scd2 version; None: the default (all but the order
    columns)."""
    if promo.track_history_column_list is not None:
        return tuple(c for c in columns if c in promo.track_history_column_list)
    if promo.track_history_except_column_list is not None:
        skip = promo.track_history_except_column_list
        return tuple(
            c for c in columns if c not in skip and c != order_col and c not in promo.order_cols
        )
    return None


def column_option_problems(
    check: PromotionToCheck, ignores_nulls: bool, tracks_history: bool
) -> list[Problem]:
    """At most one field per group, only on strategies that honour it, naming only columns
    silver takes from the source."""
    promo, name = check.promo, check.promo.strategy
    problems: list[Problem] = []
    columns = [c for c in check.silver.column_names if c in check.promoted]
    for group, allowed, who in (
        (NULL_FIELDS, ignores_nulls, "cdc_merge or scd2"),
        (HISTORY_FIELDS, tracks_history, "scd2"),
    ):
        used = _set(promo, group)
        if used and not allowed:
            problems.append(
                (
                    used[0],
                    f"strategy {name} does not apply {used[0]}",
                    f"remove {join(used)}, or use strategy {who}",
                    "error",
                )
            )
        if len(used) > 1:
            problems.append(
                (
                    used[1],
                    f"{join(used)} cannot be set together (Lakeflow: mutually exclusive)",
                    f"keep one of {join(used)}",
                    "error",
                )
            )
        if used and allowed and group is NULL_FIELDS:
            problems += _log_limits(promo, used[0])
        for field in used:
            listed = getattr(promo, field)
            if not isinstance(listed, list):
                continue
            unknown = [c for c in listed if c not in columns]
            if unknown:
                problems.append(
                    (
                        field,
                        f"{field} names {unknown}, not data columns of {check.silver_file} "
                        f"taken from {check.source_file}",
                        f"name only columns of {check.silver_file} that the source carries",
                        "error",
                    )
                )
    return problems


def _log_limits(promo: PromotionContract, field: str) -> list[Problem]:
    """What the event log of ignore_null_updates (strategies/null_updates.py) does not take yet:
    it holds no truncates."""
    problems: list[Problem] = []
    if promo.apply_as_truncates is not None:
        problems.append(
            (
                field,
                f"{field} cannot be combined with apply_as_truncates yet",
                f"remove {field} or apply_as_truncates",
                "error",
            )
        )
    return problems


def stored_column_problems(
    check: PromotionToCheck, allowed: bool, filled: set[str], order_col: str | None
) -> list[Problem]:
    """column_list / except_column_list agree with the silver contract's data columns
    (`filled`: the silver columns the strategy fills itself, not taken from the source)."""
    promo, name = check.promo, check.promo.strategy
    used = _set(promo, STORED_FIELDS)
    if not used:
        return []
    if not allowed:
        return [
            (
                used[0],
                f"strategy {name} does not apply {used[0]}",
                f"remove {join(used)}, or use strategy cdc_merge or scd2",
                "error",
            )
        ]
    if len(used) > 1:
        return [
            (
                used[1],
                f"{join(used)} cannot be set together (Lakeflow: mutually exclusive)",
                f"keep one of {join(used)}",
                "error",
            )
        ]
    field, listed = used[0], getattr(promo, used[0])
    stored = [c for c in check.silver.column_names if c in check.promoted and c not in filled]
    silver, source = check.silver_file, check.source_file
    problems: list[Problem] = []

    def problem(message: str, fix: str) -> None:
        problems.append((field, message, fix, "error"))

    unknown = [c for c in listed if c not in check.promoted]
    if unknown:
        problem(
            f"{field} names {unknown}, not columns of {source}",
            "name only source columns (after select_expr)",
        )
    if field == "column_list":
        keys = [k for k in promo.merge_keys if k not in listed]
        if keys:
            problem(f"column_list leaves out merge keys {keys}", f"add {keys} to column_list")
        left = [c for c in stored if c not in listed and c not in keys]
        if left:
            problem(
                f"{silver} declares {left}, which column_list does not store",
                f"add them to column_list, or remove them from {silver}",
            )
        absent = [c for c in listed if c in check.promoted and c not in stored]
        if absent:
            problem(
                f"column_list stores {absent}, which {silver} does not declare",
                f"add them to {silver}, or remove them from column_list",
            )
        return problems
    keys = [k for k in promo.merge_keys if k in listed]
    if keys:
        problem(f"except_column_list leaves out merge keys {keys}", f"remove {keys} from it")
    if order_col and order_col in listed:
        problem(
            f"except_column_list leaves out the order column {order_col!r}, which {name} "
            "stores to order late events against silver (Lakeflow may drop it)",
            f"remove {order_col} from except_column_list and keep it in {silver}",
        )
    clash = [c for c in listed if c in stored and c not in keys and c != order_col]
    if clash:
        problem(
            f"except_column_list leaves out {clash}, which {silver} declares",
            f"remove them from except_column_list or from {silver}",
        )
    return problems


def join(fields: list[str]) -> str:
    return " and ".join(fields)
