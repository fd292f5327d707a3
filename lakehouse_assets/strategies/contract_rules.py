"""What each silver strategy demands of its promotion and silver contracts, checked when the
contracts load (handed to the loader as contracts.extensions.PromotionRules)."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.extensions import Problem
from lakehouse_assets.contracts.models import PromotionContract, TableContract

# In the order messages list them.
STRATEGY_NAMES = ("full_merge", "cdc_merge", "incremental_replace", "append_dedup", "scd2", "scd1")
# Strategies that keep the latest event of a key: without an order column there is none.
ORDERED = ("cdc_merge", "scd2", "incremental_replace")


class ContractRules:
    def known(self) -> list[str]:
        return list(STRATEGY_NAMES)

    def problems(self, promo: PromotionContract, silver: TableContract, source: TableContract,
                 promoted: set[str], *, silver_file: Path, source_file: Path) -> list[Problem]:
        return (_promotion_problems(promo, silver, promoted, silver_file, source_file)
                + _column_types(promo, silver, source))


def _promotion_problems(promo: PromotionContract, silver: TableContract, promoted: set[str],
                        silver_file: Path, source_file: Path) -> list[Problem]:
    """cdc_merge reads an operation column; ordered strategies need an order column; scd2
    writes its validity columns, which silver must declare."""
    problems: list[Problem] = []
    if promo.strategy == "cdc_merge" and promo.op_col not in promoted:
        problems.append(("op_col", f"cdc_merge needs the operation column {promo.op_col!r} "
                         f"in {source_file}", "add it to the source or set op_col", "error"))
    if promo.strategy in ORDERED and not promo.order_col:
        problems.append(("watermark_col", f"{promo.strategy} needs an ordering column",
                         "set watermark_col (or sequence_by) to an event time or sequence",
                         "error"))
    if promo.strategy == "scd2":
        names = promo.scd2
        missing = [c for c in (names.valid_from, names.valid_to, names.is_current)
                   if c not in silver.column_names]
        if missing:
            problems.append(("scd2", f"scd2 columns {missing} are not in {silver_file}",
                             "add them to the silver contract", "error"))
    return problems


def _column_types(promo: PromotionContract, silver: TableContract,
                  source: TableContract) -> list[Problem]:
    """Silver columns the strategy fills must be declared with the type it fills them with:
    cdc_merge's is_deleted and scd2's is_current (BOOLEAN), scd2's valid_from / valid_to (the
    type of the order column whose values they take)."""
    wanted: dict[str, str] = {}
    if promo.strategy == "cdc_merge":
        wanted["is_deleted"] = "BOOLEAN"
    if promo.strategy == "scd2":
        wanted[promo.scd2.is_current] = "BOOLEAN"
        order = source.column(promo.order_col) if promo.order_col else None
        if order is not None:
            wanted[promo.scd2.valid_from] = wanted[promo.scd2.valid_to] = order.type
    problems: list[Problem] = []
    for i, column in enumerate(silver.columns):
        kind = wanted.get(column.name)
        if kind and column.type != kind:
            problems.append((f"columns[{i}].type", f"{column.name} is filled by {promo.strategy} "
                             f"as {kind}, not {column.type}", f"declare {column.name} as {kind}",
                             "error"))
    return problems
