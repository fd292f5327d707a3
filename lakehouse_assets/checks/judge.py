"""Judge a batch before it is written: the row rules in one pass, the rows that drop rules set
aside with their reason, and the counts the row accounting needs.

A failed `expect_or_fail` rule stops the run before the write (`Judged.stop_if_failed`).
Rows no rule applies to (a strategy's delete events, which carry only a key) are kept
whatever the rules say.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dagster import Failure

from lakehouse_assets.checks.evaluate import Outcome, split_rows
from lakehouse_assets.checks.rules import Rule
from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.quarantine_rows import combine_rejected
from lakehouse_assets.strategies.base import truncate_predicate
from lakehouse_assets.strategies.registry import strategy_for
from lakehouse_assets.tables.physical import INGESTED_DATE

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


@dataclass(frozen=True)
class Judged:
    batch: TableBatch  # the kept rows and every row set aside, bound for the write
    outcomes: list[Outcome]  # one per row-level rule
    read: int  # rows the batch read, counted before any judgement
    superseded: int  # silver: typed rows a later event of the same key replaced in the batch
    filtered: int  # silver: rows the promotion's filter left out

    def stop_if_failed(self, asset: TableAsset) -> None:
        """After the rules' results are recorded: a failed expect_or_fail writes nothing."""
        failed = [o.rule.name for o in self.outcomes if o.rule.action == "fail" and not o.passed]
        if failed:
            raise Failure(
                f"{asset.key_string}: expect_or_fail rules {failed} failed; nothing "
                "was written (see the check results for failing rows)"
            )


def rule_exemption(asset: TableAsset, columns: list[str]) -> str | None:
    promo = asset.promotion
    if promo is None:
        return None
    strategy = strategy_for(promo.strategy)
    op_col, deletes = strategy.op_column(promo, columns), strategy.deletes(promo)
    # Strategy plugins written before apply_as_deletes take op_col alone: ask them that way
    # unless the contract uses the field.
    exempt = strategy.rule_exempt(op_col, deletes) if deletes else strategy.rule_exempt(op_col)
    truncates = strategy.truncates(promo)
    if not truncates:
        return exempt
    # A truncate event is no row: no rule judges it (as a delete event).
    return " OR ".join(x for x in (exempt, truncate_predicate(truncates)) if x)


def judge(asset: TableAsset, batch: TableBatch, rules: list[Rule]) -> Judged:
    try:
        split = split_rows(batch.data, rules, rule_exemption(asset, batch.data.columns))
    except Exception as exc:
        named = _bad_rule(asset, batch.data, rules)
        if named is None:
            raise
        raise named from exc
    on_load = (
        batch.rejected_rows
        if batch.rejected_rows is not None
        else batch.rejected.count()
        if batch.rejected is not None
        else 0
    )
    facts = {
        **batch.facts,
        "rows_dropped_by_rules": split.rows_dropped,
        "rows_rejected_on_load": on_load,
    }
    if asset.kind == "silver":
        read, filtered = int(facts["rows_in"]), int(facts.get("rows_filtered", 0))
        superseded = int(facts["rows_typed"]) - split.rows_in
    else:
        read, filtered, superseded = split.rows_in + on_load, 0, 0
    facts["rows_in"] = read
    if asset.kind == "silver":
        facts["rows_superseded"] = superseded
    dropped = split.dropped
    if dropped is not None and batch.partitions and INGESTED_DATE not in dropped.columns:
        from pyspark.sql import functions as F

        dropped = dropped.withColumn(INGESTED_DATE, F.lit(batch.partitions[0]).cast("date"))
    out = replace(
        batch,  # keeps what else the batch says about its write (append)
        data=split.kept,
        rejected=combine_rejected(batch.rejected, dropped),
        facts=facts,
        rejected_rows=on_load + split.rows_dropped,
    )
    return Judged(out, split.outcomes, read, superseded, filtered)


def _bad_rule(asset: TableAsset, data: DataFrame, rules: list[Rule]) -> ValueError | None:
    """Name the rule whose SQL the engine refuses (the one-pass query cannot say which)."""
    from pyspark.sql import functions as F

    for rule in rules:
        if rule.predicate is None:
            continue
        try:
            data.select(F.expr(f"({rule.predicate})")).limit(0).collect()
        except Exception as exc:
            first = str(exc).strip().splitlines()[0][:300]
            return ValueError(
                f"{asset.key_string}: rule {rule.name!r} ({rule.predicate}) is not "
                f"valid SQL on this table's batch: {first}; fix it in the contract "
                f"(columns: {', '.join(data.columns)})"
            )
    return None
