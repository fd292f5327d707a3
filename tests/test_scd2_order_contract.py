"""scd2 and ignore_null_updates with sequence_by over several columns, checked at load: scd2's
valid_from / valid_to are declared as the STRUCT of the order columns (Lakeflow's __START_AT /
__END_AT take sequence_by's type), and each wrong type names the expected one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.strategies.base import MergeContext, order_by, order_value
from lakehouse_assets.strategies.registry import strategy_for
from tests.test_contract_errors import promotion_folder

RAW = {"id": "BIGINT", "ts": "TIMESTAMP", "seq": "BIGINT", "v": "STRING", "op": "STRING"}
STRUCT = "STRUCT<ts: TIMESTAMP, seq: BIGINT>"


def _table(name: str, layer: str, columns: dict[str, str]) -> str:
    return json.dumps(
        {
            "catalog": f"{{catalog.{layer}}}",
            "schema": "s",
            "name": name,
            "columns": [{"name": c, "type": t} for c, t in columns.items()],
        }
    )


def _project(root: Path, strategy: str = "scd2", history: str | None = STRUCT, **fields: Any):
    silver = {c: t for c, t in RAW.items() if c != "op"}
    if history is not None:
        silver |= {"valid_from": history, "valid_to": history, "is_current": "BOOLEAN"}
    fields = {"op_col": "op", "sequence_by": ["ts", "seq"], **fields}
    return promotion_folder(
        root,
        _table("raw", "bronze", RAW),
        _table("clean", "silver", silver),
        strategy=strategy,
        **fields,
    )


def test_scd2_with_two_columns_and_struct_history_loads(tmp_path: Path):
    project = _project(tmp_path)
    assert [str(e) for e in project.errors] == []
    promo = project.asset("silver/s/clean").promotion
    assert promo is not None and promo.order_cols == ["ts", "seq"]
    assert strategy_for("scd2").required_values(promo) == {
        "ts": "null order column ts (scd2 needs it)",
        "seq": "null order column seq (scd2 needs it)",
    }
    assert strategy_for("scd2").dedup_keys(promo) == ["id", "ts", "seq"]


def test_the_struct_may_be_spelled_as_spark_does(tmp_path: Path):
    project = _project(tmp_path, history="struct<ts timestamp, seq long>")
    assert [str(e) for e in project.errors] == []


@pytest.mark.parametrize(
    "declared", ["TIMESTAMP", "BIGINT", "STRUCT<seq: BIGINT, ts: TIMESTAMP>", "STRUCT<ts: DATE>"]
)
def test_a_wrong_history_type_names_the_struct(tmp_path: Path, declared: str):
    project = _project(tmp_path, history=declared)
    errors = [e for e in project.errors if e.field.endswith(".type")]
    assert len(errors) == 2, project.errors  # valid_from and valid_to
    for error, (i, column) in zip(errors, [(4, "valid_from"), (5, "valid_to")], strict=True):
        assert str(error.file) == "tables/clean.json" and error.field == f"columns[{i}].type"
        assert error.message == f"{column} is filled by scd2 as {STRUCT}, not {declared}"
        assert error.fix == f"declare {column} as {STRUCT}"


def test_one_column_keeps_its_own_type(tmp_path: Path):
    project = _project(tmp_path, history=STRUCT, sequence_by="seq")
    errors = [e for e in project.errors if e.field.endswith(".type")]
    assert [e.fix for e in errors] == ["declare valid_from as BIGINT", "declare valid_to as BIGINT"]


def test_ignore_null_updates_takes_two_columns(tmp_path: Path):
    project = _project(tmp_path, "cdc_merge", history=None, ignore_null_updates=True)
    assert [str(e) for e in project.errors] == []
    promo = project.asset("silver/s/clean").promotion
    assert promo is not None
    assert strategy_for("cdc_merge").dedup_keys(promo) == ["id", "ts", "seq"]
    assert set(strategy_for("cdc_merge").required_values(promo)) == {"ts", "seq"}


def test_the_order_value_is_a_struct_and_windows_order_by_every_column():
    two = MergeContext("t", "s", ["id"], ["v"], "ts", order_then=("seq",))
    assert order_value(two, "k") == "named_struct('ts', k.`ts`, 'seq', k.`seq`)"
    assert order_by(two, "f", "DESC") == "f.`ts` DESC, f.`seq` DESC"
    one = MergeContext("t", "s", ["id"], ["v"], "ts")
    assert order_value(one, "k") == "k.`ts`" and order_by(one) == "`ts`"
