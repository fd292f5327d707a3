"""The order options of issue 17 are checked at load: sequence_by as a list of columns,
op_case_sensitive and apply_as_truncates; each error names the file, the field and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lakehouse_assets.strategies.base import MergeContext, newer
from tests.test_contract_errors import promotion_folder, table

SILVER = ["id", "ts", "seq", "v"]


def _project(root: Path, strategy: str = "cdc_merge", silver: list[str] = SILVER, **fields: Any):
    return promotion_folder(
        root,
        table("raw", "bronze", ["id", "ts", "seq", "v", "op"]),
        table("clean", "silver", silver),
        strategy=strategy,
        op_col="op",
        **fields,
    )


def _only(project, field: str):
    mine = [e for e in project.errors if e.field == field]
    assert len(mine) == 1, project.errors
    assert str(mine[0].file) == "ingestion/p.json"
    return mine[0]


# -- sequence_by over several columns ---------------------------------------------------------
def test_a_list_of_columns_loads_in_order(tmp_path: Path):
    project = _project(tmp_path, sequence_by=["ts", "seq"])
    assert [str(e) for e in project.errors] == []
    promo = project.asset("silver/s/clean").promotion
    assert promo is not None
    assert promo.order_cols == ["ts", "seq"] and promo.order_col == "ts"


def test_one_column_keeps_working(tmp_path: Path):
    promo = _project(tmp_path, sequence_by="seq").asset("silver/s/clean").promotion
    assert promo is not None and promo.order_cols == ["seq"] and promo.sequence_by == "seq"


def test_an_empty_list_is_refused(tmp_path: Path):
    error = _only(_project(tmp_path, sequence_by=[]), "sequence_by")
    assert "at least one column" in error.message


def test_a_column_named_twice_is_refused(tmp_path: Path):
    error = _only(_project(tmp_path, sequence_by=["ts", "ts"]), "sequence_by")
    assert "['ts']" in error.message and "more than once" in error.message


def test_an_unknown_column_in_the_list_names_it(tmp_path: Path):
    error = _only(_project(tmp_path, sequence_by=["ts", "nope"]), "sequence_by")
    assert "'nope'" in error.message and "tables/raw.json" in error.message


def test_the_order_compares_field_by_field_with_null_oldest():
    ctx = MergeContext("t", "s", ["id"], ["v"], "ts", order_then=("seq",))
    assert newer(ctx, "TIE") == (
        "(coalesce(s.`ts` > t.`ts`, FALSE) OR (t.`ts` IS NULL AND s.`ts` IS NOT NULL) OR "
        "(s.`ts` <=> t.`ts` AND (coalesce(s.`seq` > t.`seq`, FALSE) OR "
        "(t.`seq` IS NULL AND s.`seq` IS NOT NULL))) OR "
        "CASE WHEN s.`ts` <=> t.`ts` AND s.`seq` <=> t.`seq` THEN TIE ELSE FALSE END)"
    )


# -- op_case_sensitive ------------------------------------------------------------------------
def test_op_case_sensitive_loads_and_defaults_off(tmp_path: Path):
    on = _project(tmp_path / "on", sequence_by="ts", op_case_sensitive=True)
    assert [str(e) for e in on.errors] == []
    promo = on.asset("silver/s/clean").promotion
    assert promo is not None and promo.op_case_sensitive is True
    off = _project(tmp_path / "off", sequence_by="ts").asset("silver/s/clean").promotion
    assert off is not None and off.op_case_sensitive is False


def test_op_case_sensitive_must_be_a_boolean(tmp_path: Path):
    error = _only(
        _project(tmp_path, sequence_by="ts", op_case_sensitive="maybe"), "op_case_sensitive"
    )
    assert "boolean" in error.message


def test_op_case_sensitive_on_a_strategy_without_ops_is_refused(tmp_path: Path):
    error = _only(
        _project(tmp_path, "full_merge", sequence_by="ts", op_case_sensitive=True),
        "op_case_sensitive",
    )
    assert "full_merge" in error.message and "cdc_merge or scd2" in error.fix


# -- apply_as_truncates -----------------------------------------------------------------------
def test_apply_as_truncates_loads_on_cdc_merge(tmp_path: Path):
    project = _project(tmp_path, sequence_by="ts", apply_as_truncates="op = 'TRUNCATE'")
    assert [str(e) for e in project.errors] == []
    promo = project.asset("silver/s/clean").promotion
    assert promo is not None and promo.apply_as_truncates == "op = 'TRUNCATE'"


def test_apply_as_truncates_that_does_not_parse_names_file_and_field(tmp_path: Path):
    project = _project(tmp_path, sequence_by="ts", apply_as_truncates="op = (")
    assert "is not a SQL expression" in _only(project, "apply_as_truncates").message


def test_apply_as_truncates_on_scd2_is_refused(tmp_path: Path):
    silver = [*SILVER, "valid_from", "valid_to", "is_current"]
    project = _project(tmp_path, "scd2", silver, sequence_by="ts", apply_as_truncates="op = 'T'")
    error = _only(project, "apply_as_truncates")
    assert "scd2" in error.message and "SCD type 1" in error.message
    assert "use strategy cdc_merge" in error.fix


def test_apply_as_truncates_with_an_unknown_column_names_it(tmp_path: Path):
    project = _project(tmp_path, sequence_by="ts", apply_as_truncates="op = 'T' OR wiped")
    error = _only(project, "apply_as_truncates")
    assert "['wiped']" in error.message and "tables/raw.json" in error.message
