"""A strategy is one `Strategy` object, registered by name: these tests add their own, from
this file, and run them through real Dagster runs (landing JSON -> bronze -> silver).

They also hold the row accounting to its word: a strategy whose rule exemption is NULL for
some rows (the bug a second, NULL-blind copy of the delete test once caused) loses rows, and
the accounting check must fail on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.strategies.base import MergeContext, MergePlan, insert_clause, key_match
from lakehouse_assets.strategies.registry import register, unregister
from lakehouse_assets.strategies.strategy import Strategy
from tests.helpers import delta_rows, run_assets, table_path
from tests.strategy_lab import day, make_project

KEYS = ["bronze/lab/ev_raw", "silver/lab/ev"]


class KeepFirst(Strategy):
    """Insert-only: the first version of a key silver sees is kept for good."""

    names = ("keep_first",)

    def plan(self, ctx: MergeContext) -> MergePlan:
        sql = (
            f"MERGE INTO {ctx.target} t USING {ctx.source} s ON {key_match(ctx)} "
            f"WHEN NOT MATCHED THEN INSERT {insert_clause(ctx, ctx.columns)}"
        )
        return MergePlan([sql], "insert keys silver lacks", {ctx.target: ctx.keys})


class LeakyExemption(KeepFirst):
    """Exempts rows from the rules with a predicate that is NULL when v is NULL."""

    names = ("leaky_exemption",)

    def rule_exempt(self, op_col: str | None) -> str | None:
        return "v = 'exempt'"


@pytest.fixture
def toy_strategies() -> Iterator[None]:
    toys = [register(KeepFirst()), register(LeakyExemption())]
    yield
    for toy in toys:
        unregister(toy)


def _land(project, part: int, rows: list[dict]) -> None:
    folder = Path(project.environment.paths["landing"]) / "ev" / f"dt={day(part)}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-0.json").write_text("".join(json.dumps(r) + "\n" for r in rows))


def _with_rules(root: Path, rules: list[dict]):
    promo = root / "ingestion/silver/ev.json"
    spec = json.loads(promo.read_text())
    spec["expectations"] = rules
    promo.write_text(json.dumps(spec))
    return load_project_or_raise(root)


def _checks(result, key: str) -> dict:
    return {
        e.check_name: e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == key
    }


def test_a_strategy_registered_in_a_test_file_runs_end_to_end(
    toy_strategies, tmp_path, data_root, spark_resource
):
    project = make_project(tmp_path / "contracts", "keep_first")
    _land(project, 0, [{"k": 1, "seq": 1, "v": "a", "op_type": "I"}])
    _land(
        project,
        1,
        [
            {"k": 1, "seq": 2, "v": "b", "op_type": "U"},
            {"k": 2, "seq": 1, "v": "c", "op_type": "I"},
        ],
    )
    for part in (0, 1):
        result = run_assets(project, spark_resource, KEYS, day(part))
        assert result.success and _checks(result, "silver/lab/ev")["row_accounting"].passed
    rows = delta_rows(table_path(project, "silver/lab/ev"), ["k", "v"])
    assert sorted((r["k"], r["v"]) for r in rows) == [(1, "a"), (2, "c")]


def test_an_unknown_strategy_names_the_registered_ones(tmp_path, data_root):
    with pytest.raises(Exception, match=r"(?s)strategy.*no_such_strategy.*full_merge"):
        make_project(tmp_path / "contracts", "no_such_strategy")


def test_row_accounting_fails_when_rows_are_lost(
    toy_strategies, tmp_path, data_root, spark_resource
):
    """The leaky exemption makes a row that fails a drop rule vanish (neither kept nor set
    aside): the accounting, counted term by term, must notice and fail the run."""
    make_project(tmp_path / "contracts", "leaky_exemption")
    project = _with_rules(tmp_path / "contracts", [{"not_null": "seq", "action": "drop"}])
    _land(
        project,
        0,
        [
            {"k": 1, "seq": 1, "v": "a", "op_type": "I"},
            {"k": 2, "seq": None, "v": None, "op_type": "I"},  # vanishes
            {"k": 3, "seq": None, "v": "exempt", "op_type": "I"},
        ],
    )  # exempt: kept
    result = run_assets(project, spark_resource, KEYS, day(0), raise_on_error=False)
    accounting = _checks(result, "silver/lab/ev")["row_accounting"]
    assert not accounting.passed
    assert (
        accounting.metadata["equation"].value
        == "3 = 2 written + 0 quarantined + 0 superseded + 0 filtered"
    )
    rows = delta_rows(table_path(project, "silver/lab/ev"), ["k"])
    assert sorted(r["k"] for r in rows) == [1, 3]


def test_cdc_delete_with_null_op_failing_a_drop_rule_is_quarantined(
    tmp_path, data_root, spark_resource
):
    """A NULL op is not a delete: the row is judged like any other and set aside with its
    reason, never lost between the kept and the dropped rows."""
    make_project(tmp_path / "contracts", "cdc_merge")
    project = _with_rules(tmp_path / "contracts", [{"not_null": "v", "action": "drop"}])
    _land(
        project,
        0,
        [
            {"k": 1, "seq": 1, "v": "a", "op_type": "I"},
            {"k": 2, "seq": 1, "v": None, "op_type": None},
            {"k": 3, "seq": 1, "v": None, "op_type": "D"},
        ],
    )  # a delete: exempt
    result = run_assets(project, spark_resource, KEYS, day(0))
    checks = _checks(result, "silver/lab/ev")
    assert checks["row_accounting"].passed
    assert (
        checks["row_accounting"].metadata["equation"].value
        == "3 = 2 written + 1 quarantined + 0 superseded + 0 filtered"
    )
    quarantined = delta_rows(str(table_path(project, "silver/lab/ev")) + "_quarantine")
    assert [(q["k"], q["_quarantine_reason"]) for q in quarantined] == [
        ("2", "op_type: NULL is not an insert, update or delete (I, U, D, INSERT, UPDATE, DELETE)")
    ]


def test_judging_never_loses_a_null_op_row(tmp_path, data_root, spark):
    """The rule split itself: with the delete predicate NULL-blind (`upper(op) IN ('D')`),
    this row was neither kept nor dropped."""
    from lakehouse_assets.checks.judge import judge
    from lakehouse_assets.checks.rules import rules_for
    from lakehouse_assets.io.batch import TableBatch

    make_project(tmp_path / "contracts", "cdc_merge")
    project = _with_rules(tmp_path / "contracts", [{"not_null": "v", "action": "drop"}])
    asset = project.asset("silver/lab/ev")
    data = spark.createDataFrame(
        [(1, 1, None, None), (2, 1, None, "D"), (3, 1, "x", "I")],
        "k BIGINT, seq BIGINT, v STRING, op_type STRING",
    )
    facts = {"rows_in": 3, "rows_typed": 3}
    judged = judge(asset, TableBatch(data, None, [day(0)], facts), rules_for(asset))
    kept = sorted(r["k"] for r in judged.batch.data.collect())
    dropped = sorted(int(r["k"]) for r in judged.batch.rejected.collect())
    assert (kept, dropped) == ([2, 3], [1])
