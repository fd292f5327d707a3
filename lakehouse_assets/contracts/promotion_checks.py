"""A promotion checked against the two tables it joins: merge keys in both, order columns in
the source, what its strategy demands of both, and its select_expr / filter."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.format_rules import (
    promoted_columns,
    select_problems,
    silver_problems,
)
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.models import PromotionContract
from lakehouse_assets.contracts.project import LoadedTable


def check_promotion(log: IssueLog, file: Path, promo: PromotionContract, source: LoadedTable,
                    dest: LoadedTable) -> None:
    promoted = promoted_columns(promo, source.contract)
    _check_columns(log, file, promo, source, dest, promoted)
    _check_strategy(log, file, promo, source, dest, promoted)
    log.report(dest.file, silver_problems(promo, dest.contract, source.contract))
    log.report(file, select_problems(promo, source.contract))


def _check_columns(log: IssueLog, file: Path, promo: PromotionContract, source: LoadedTable,
                   dest: LoadedTable, src_cols: set[str]) -> None:
    """Merge keys are columns of silver and of what the promotion hands over; so are the
    order columns (watermark_col, sequence_by) of the latter."""
    dst_cols = set(dest.contract.column_names)
    for key in promo.merge_keys:
        if key not in dst_cols:
            log.add(file, "merge_keys", f"merge key {key!r} is not a column of "
                    f"{log.rel(dest.file)}", f"use one of {sorted(dst_cols)}")
        elif key not in src_cols:
            log.add(file, "merge_keys", f"merge key {key!r} is not a column of the "
                    f"source {log.rel(source.file)}", f"use one of {sorted(src_cols)}")
    for field, col in (("watermark_col", promo.watermark_col),
                       ("sequence_by", promo.sequence_by)):
        if col and col not in src_cols:
            log.add(file, field, f"{col!r} is not a column of the source "
                    f"{log.rel(source.file)}", f"use one of {sorted(src_cols)}")


def _check_strategy(log: IssueLog, file: Path, promo: PromotionContract, source: LoadedTable,
                    dest: LoadedTable, src_cols: set[str]) -> None:
    if promo.strategy == "cdc_merge" and promo.op_col not in src_cols:
        log.add(file, "op_col", f"cdc_merge needs the operation column {promo.op_col!r} "
                f"in {log.rel(source.file)}", "add it to the source or set op_col")
    if promo.strategy in ("cdc_merge", "scd2", "incremental_replace") and not promo.order_col:
        log.add(file, "watermark_col", f"{promo.strategy} needs an ordering column",
                "set watermark_col (or sequence_by) to an event time or sequence")
    if promo.strategy == "scd2":
        names = promo.scd2
        missing = [c for c in (names.valid_from, names.valid_to, names.is_current)
                   if c not in dest.contract.column_names]
        if missing:
            log.add(file, "scd2", f"scd2 columns {missing} are not in "
                    f"{log.rel(dest.file)}", "add them to the silver contract")
