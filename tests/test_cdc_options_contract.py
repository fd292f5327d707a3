"""Lakeflow's column options on a promotion are checked at load: only on strategies that honour
them, one field per group, naming only silver data columns; each error names the file, the
field and the fix. Their resolution to column lists is checked too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.strategies.column_options import null_kept, tracked
from tests.test_contract_errors import promotion_folder, table

SILVER = ["id", "ts", "v", "w"]


def _project(root: Path, strategy: str, **options: Any):
    silver = json.loads(table("clean", "silver", SILVER))
    if strategy == "scd2":
        silver["columns"] += [
            {"name": "valid_from", "type": "STRING"},
            {"name": "valid_to", "type": "STRING"},
            {"name": "is_current", "type": "BOOLEAN"},
        ]
    return promotion_folder(
        root,
        table("raw", "bronze", ["id", "ts", "v", "w", "op", "x"]),
        json.dumps(silver),
        strategy=strategy,
        sequence_by="ts",
        op_col="op",
        **options,
    )


def _mine(project, field: str):
    return [e for e in project.errors if e.field == field]


@pytest.mark.parametrize(
    ("strategy", "options"),
    [
        ("cdc_merge", {"ignore_null_updates": True}),
        ("cdc_merge", {"ignore_null_updates_column_list": ["v"]}),
        ("scd2", {"ignore_null_updates_except_column_list": ["w"]}),
        ("scd2", {"track_history_column_list": ["v"], "ignore_null_updates": True}),
        ("scd2", {"track_history_except_column_list": ["w"]}),
    ],
)
def test_valid_options_load(tmp_path: Path, strategy: str, options: dict[str, Any]):
    project = _project(tmp_path, strategy, **options)
    assert [str(e) for e in project.errors] == []
    promo = project.asset("silver/s/clean").promotion
    assert promo is not None
    for field, value in options.items():
        assert getattr(promo, field) == value


def test_ignore_null_updates_on_a_strategy_without_cdc_is_refused(tmp_path: Path):
    errors = _mine(
        _project(tmp_path, "full_merge", ignore_null_updates=True), "ignore_null_updates"
    )
    assert len(errors) == 1, errors
    assert str(errors[0].file) == "ingestion/p.json"
    assert "full_merge" in errors[0].message and "cdc_merge or scd2" in errors[0].fix


def test_track_history_on_cdc_merge_is_refused(tmp_path: Path):
    project = _project(tmp_path, "cdc_merge", track_history_column_list=["v"])
    errors = _mine(project, "track_history_column_list")
    assert len(errors) == 1, project.errors
    assert "cdc_merge" in errors[0].message and "scd2" in errors[0].fix


@pytest.mark.parametrize(
    ("strategy", "options", "second"),
    [
        (
            "cdc_merge",
            {"ignore_null_updates": True, "ignore_null_updates_column_list": ["v"]},
            "ignore_null_updates_column_list",
        ),
        (
            "scd2",
            {
                "ignore_null_updates_column_list": ["v"],
                "ignore_null_updates_except_column_list": ["w"],
            },
            "ignore_null_updates_except_column_list",
        ),
        (
            "scd2",
            {"track_history_column_list": ["v"], "track_history_except_column_list": ["w"]},
            "track_history_except_column_list",
        ),
    ],
)
def test_two_fields_of_one_group_are_refused(
    tmp_path: Path, strategy: str, options: dict[str, Any], second: str
):
    project = _project(tmp_path, strategy, **options)
    errors = _mine(project, second)
    assert len(errors) == 1, project.errors
    assert "cannot be set together" in errors[0].message
    assert errors[0].fix.startswith("keep one of")


@pytest.mark.parametrize(
    ("strategy", "field"),
    [
        ("cdc_merge", "ignore_null_updates_column_list"),
        ("scd2", "ignore_null_updates_except_column_list"),
        ("scd2", "track_history_column_list"),
        ("scd2", "track_history_except_column_list"),
    ],
)
def test_an_unknown_column_names_it_and_the_fix(tmp_path: Path, strategy: str, field: str):
    # x is in the source but not in silver; nope is nowhere
    project = _project(tmp_path, strategy, **{field: ["v", "x", "nope"]})
    errors = _mine(project, field)
    assert len(errors) == 1, project.errors
    assert str(errors[0].file) == "ingestion/p.json"
    assert "['x', 'nope']" in errors[0].message and "tables/clean.json" in errors[0].message
    assert "tables/clean.json" in errors[0].fix


def test_a_false_flag_is_not_set(tmp_path: Path):
    project = _project(
        tmp_path, "cdc_merge", ignore_null_updates=False, ignore_null_updates_column_list=["v"]
    )
    assert [str(e) for e in project.errors] == []


def test_the_options_resolve_to_columns(tmp_path: Path):
    def promo(**options: Any):
        p = _project(tmp_path / str(len(list(tmp_path.iterdir()))), "scd2", **options)
        got = p.asset("silver/s/clean").promotion
        assert got is not None
        return got

    keys = ["id"]
    assert null_kept(promo(), SILVER, keys) == ()
    assert null_kept(promo(ignore_null_updates=True), SILVER, keys) == ("ts", "v", "w")
    assert null_kept(promo(ignore_null_updates_column_list=["w"]), SILVER, keys) == ("w",)
    except_w = promo(ignore_null_updates_except_column_list=["w"])
    assert null_kept(except_w, SILVER, keys) == ("ts", "v")
    assert tracked(promo(), SILVER, "ts") is None
    assert tracked(promo(track_history_column_list=["w", "v"]), SILVER, "ts") == ("v", "w")
    # the except list never tracks the order column (valid_from already holds it)
    assert tracked(promo(track_history_except_column_list=["w"]), SILVER, "ts") == ("id", "v")


# -- column_list / except_column_list -------------------------------------------------------
@pytest.mark.parametrize(
    ("strategy", "options"),
    [
        ("cdc_merge", {"column_list": ["id", "ts", "v", "w"]}),
        ("scd2", {"column_list": ["w", "v", "ts", "id"]}),
        ("cdc_merge", {"except_column_list": ["op", "x"]}),
        ("scd2", {"except_column_list": ["x"]}),
    ],
)
def test_stored_columns_that_agree_with_silver_load(
    tmp_path: Path, strategy: str, options: dict[str, Any]
):
    project = _project(tmp_path, strategy, **options)
    assert [str(e) for e in project.errors] == []


def _one(project, field: str):
    errors = _mine(project, field)
    assert len(errors) == 1, [str(e) for e in project.errors]
    assert str(errors[0].file) == "ingestion/p.json"
    return errors[0]


@pytest.mark.parametrize(
    ("options", "field", "message", "fix"),
    [
        (
            {"column_list": ["id", "ts", "v", "w", "nope"]},
            "column_list",
            "names ['nope'], not columns of tables/raw.json",
            "source columns",
        ),
        (
            {"column_list": ["ts", "v", "w"]},
            "column_list",
            "leaves out merge keys ['id']",
            "add ['id'] to column_list",
        ),
        (
            {"column_list": ["id", "ts", "v"]},
            "column_list",
            "tables/clean.json declares ['w'], which column_list does not store",
            "remove them from tables/clean.json",
        ),
        (
            {"column_list": ["id", "ts", "v", "w", "x"]},
            "column_list",
            "column_list stores ['x'], which tables/clean.json does not declare",
            "add them to tables/clean.json",
        ),
        (
            {"except_column_list": ["nope"]},
            "except_column_list",
            "names ['nope'], not columns of tables/raw.json",
            "source columns",
        ),
        (
            {"except_column_list": ["id"]},
            "except_column_list",
            "leaves out merge keys ['id']",
            "remove ['id']",
        ),
        (
            {"except_column_list": ["ts"]},
            "except_column_list",
            "leaves out the order column 'ts'",
            "keep it in tables/clean.json",
        ),
        (
            {"except_column_list": ["w", "x"]},
            "except_column_list",
            "leaves out ['w'], which tables/clean.json declares",
            "from tables/clean.json",
        ),
        (
            {"column_list": ["id", "ts", "v", "w"], "except_column_list": ["x"]},
            "except_column_list",
            "cannot be set together",
            "keep one of",
        ),
    ],
)
def test_stored_columns_that_disagree_name_the_fix(
    tmp_path: Path, options: dict[str, Any], field: str, message: str, fix: str
):
    error = _one(_project(tmp_path, "cdc_merge", **options), field)
    assert message in error.message and fix in error.fix, error


def test_stored_columns_on_a_strategy_without_cdc_is_refused(tmp_path: Path):
    error = _one(_project(tmp_path, "full_merge", except_column_list=["x"]), "except_column_list")
    assert "full_merge" in error.message and "cdc_merge or scd2" in error.fix


def test_ignore_null_updates_with_truncates_is_refused(tmp_path: Path):
    project = _project(
        tmp_path, "cdc_merge", ignore_null_updates_column_list=["v"], apply_as_truncates="x = 'T'"
    )
    error = _one(project, "ignore_null_updates_column_list")
    assert "apply_as_truncates" in error.message and "apply_as_truncates" in error.fix
