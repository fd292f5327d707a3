"""A promotion checked against the two tables it joins: what every strategy needs here (merge
keys in both, order columns in the source, the framework's silver columns), what its own
strategy demands (extensions.PromotionRules), and its select_expr / filter."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.extensions import PromotionRules, PromotionToCheck
from lakehouse_assets.contracts.format_rules import (
    promoted_columns,
    select_problems,
    silver_problems,
)
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.models import PromotionContract
from lakehouse_assets.contracts.project import LoadedTable


def check_promotion(
    log: IssueLog,
    rules: PromotionRules,
    file: Path,
    promo: PromotionContract,
    source: LoadedTable,
    dest: LoadedTable,
) -> None:
    promoted = promoted_columns(promo, source.contract)
    _check_columns(log, file, promo, source, dest, promoted)
    strategy = rules.problems(
        PromotionToCheck(
            promo,
            dest.contract,
            source.contract,
            promoted,
            silver_file=log.rel(dest.file),
            source_file=log.rel(source.file),
        )
    )
    on_silver = [p for p in strategy if p[0].startswith("columns[")]
    log.report(file, [p for p in strategy if not p[0].startswith("columns[")])
    log.report(dest.file, silver_problems(dest.contract) + on_silver)
    log.report(file, select_problems(promo, source.contract))


def _check_columns(
    log: IssueLog,
    file: Path,
    promo: PromotionContract,
    source: LoadedTable,
    dest: LoadedTable,
    src_cols: set[str],
) -> None:
    """Merge keys are columns of silver and of what the promotion hands over; so are the
    order columns (watermark_col, sequence_by) of the latter."""
    dst_cols = set(dest.contract.column_names)
    for key in promo.merge_keys:
        if key not in dst_cols:
            log.add(
                file,
                "merge_keys",
                f"merge key {key!r} is not a column of {log.rel(dest.file)}",
                f"use one of {sorted(dst_cols)}",
            )
        elif key not in src_cols:
            log.add(
                file,
                "merge_keys",
                f"merge key {key!r} is not a column of the source {log.rel(source.file)}",
                f"use one of {sorted(src_cols)}",
            )
    sequence = promo.sequence_by if isinstance(promo.sequence_by, list) else [promo.sequence_by]
    named = [("watermark_col", promo.watermark_col), *(("sequence_by", c) for c in sequence)]
    for field, col in named:
        if col and col not in src_cols:
            log.add(
                file,
                field,
                f"{col!r} is not a column of the source {log.rel(source.file)}",
                f"use one of {sorted(src_cols)}",
            )
