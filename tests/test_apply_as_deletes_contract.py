"""apply_as_deletes (Lakeflow AUTO CDC) is checked at load: it must parse as one SQL expression
and read only source columns; each error names the file, the field and the fix."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.strategies.base import delete_predicate
from tests.test_contract_errors import promotion_folder, table


def _project(root: Path, strategy: str, deletes: str):
    return promotion_folder(
        root,
        table("raw", "bronze", ["id", "ts", "v", "op", "gone"]),
        table("clean", "silver", ["id", "ts", "v"]),
        strategy=strategy,
        sequence_by="ts",
        op_col="op",
        apply_as_deletes=deletes,
    )


def test_a_valid_expression_loads(tmp_path: Path):
    project = _project(tmp_path, "cdc_merge", "op = 'DELETE' OR gone = 'yes'")
    assert [str(e) for e in project.errors] == []
    promo = project.asset("silver/s/clean").promotion
    assert promo is not None and promo.apply_as_deletes == "op = 'DELETE' OR gone = 'yes'"


def test_an_expression_that_does_not_parse_names_file_and_field(tmp_path: Path):
    errors = _project(tmp_path, "cdc_merge", "op = 'DELETE' OR (").errors
    assert len(errors) == 1, errors
    assert str(errors[0].file) == "ingestion/p.json"
    assert errors[0].field == "apply_as_deletes"
    assert "is not a SQL expression" in errors[0].message


def test_an_unknown_column_names_it_and_the_fix(tmp_path: Path):
    errors = _project(tmp_path, "scd2", "op = 'D' OR is_removed").errors
    mine = [e for e in errors if e.field == "apply_as_deletes"]
    assert len(mine) == 1, errors
    assert str(mine[0].file) == "ingestion/p.json"
    assert "['is_removed']" in mine[0].message and "tables/raw.json" in mine[0].message
    assert "source columns" in mine[0].fix


def test_a_strategy_without_deletes_refuses_it(tmp_path: Path):
    errors = [e for e in _project(tmp_path, "full_merge", "gone").errors]
    assert [e.field for e in errors] == ["apply_as_deletes"], errors
    assert "cdc_merge or scd2" in errors[0].fix


def test_the_predicate_reads_the_aliased_row_and_is_never_null():
    sql = delete_predicate("op", "s", "op = 'DELETE' OR is_removed")
    assert sql == "coalesce((s.op = 'DELETE' OR s.is_removed), FALSE)"
    assert delete_predicate("op", "t") == "coalesce(upper(t.`op`) IN ('D', 'DELETE'), FALSE)"
