"""The DKOps format's pieces on their own: column types, read options, staging of files the
engine's reader cannot take, defaults in DDL. No engine needed."""

from __future__ import annotations

import pytest

from lakehouse_assets.contracts.models import Column
from lakehouse_assets.contracts.source_options import read_options
from lakehouse_assets.contracts.types import as_text_type, normalize_type
from lakehouse_assets.ingest.staging import json_records, strip_comments


@pytest.mark.parametrize(
    ("declared", "normalised"),
    [
        ("integer", "INT"),
        ("LONG", "BIGINT"),
        ("text", "STRING"),
        ("bool", "BOOLEAN"),
        ("varchar(10)", "STRING"),
        ("decimal(10, 2)", "DECIMAL(10,2)"),
        ("decimal", "DECIMAL(10,0)"),
        ("timestamp_ntz", "TIMESTAMP_NTZ"),
        ("binary", "BINARY"),
        ("array<struct<sku: string, qty: int>>", "ARRAY<STRUCT<sku: STRING, qty: INT>>"),
        ("STRUCT<a INT, b ARRAY<STRING>>", "STRUCT<a: INT, b: ARRAY<STRING>>"),
        ("map<string, decimal(5,1)>", "MAP<STRING, DECIMAL(5,1)>"),
        ("struct<`a b`: int>", "STRUCT<`a b`: INT>"),
    ],
)
def test_types_parse_as_spark_types(declared: str, normalised: str):
    assert normalize_type(declared) == normalised
    assert normalize_type(normalised) == normalised  # canonical form is a fixed point


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("int int", "unknown column type 'int int'"),
        ("array<int", "unknown column type 'array<int'"),
        ("foo", "unknown column type 'foo'"),
        ("VARCHAR2", "unknown column type 'VARCHAR2'"),  # Oracle's, which sqlglot would read
        ("struct<a: nvarchar>", "unknown column type 'struct<a: nvarchar>'"),
        ("decimal(40,2)", "DECIMAL(p,s) needs 1 <= p <= 38"),
    ],
)
def test_bad_types_say_why(declared: str, message: str):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalize_type(declared)


def test_text_shape_of_nested_types():
    assert (
        as_text_type("MAP<STRING, STRUCT<x: DECIMAL(5,1), y: ARRAY<DATE>>>")
        == "MAP<STRING, STRUCT<x: STRING, y: ARRAY<STRING>>>"
    )


def test_options_use_spark_names_case_insensitively():
    options = read_options(
        "csv",
        {
            "HEADER": True,
            "delimiter": ";",
            "NullValue": "NA",
            "Charset": "latin1",
            "dateformat": "dd/MM/yyyy",
        },
    )
    assert (options.header, options.csv, options.encoding, options.date_format) == (
        True,
        {"sep": ";", "nullValue": "NA"},
        "latin1",
        "dd/MM/yyyy",
    )
    assert options.notes == () and not options.utf8


def test_options_that_change_nothing_or_cannot_be_honoured_are_said():
    notes = read_options(
        "json",
        {
            "inferSchema": "true",
            "mode": "DROPMALFORMED",
            "lineSep": "\n",
            "multiLine": "yes",
            "encoding": "klingon",
        },
    ).notes
    assert [(n.option, n.severity, n.message) for n in notes] == [
        ("inferSchema", "info", "accepted and ignored: the contract's columns are the schema"),
        (
            "mode",
            "warning",
            "ignored: rows that cannot be parsed always go to "
            "<table>_quarantine with the reason (never dropped, never failing the run)",
        ),
        ("lineSep", "warning", "not honoured for json sources here"),
        ("multiLine", "error", "'yes' is not a boolean"),
        ("encoding", "error", "unknown encoding 'klingon'"),
    ]


def test_multiline_json_records_keep_their_own_text_and_line():
    text = '[\n {"id": 1, "s": "a,]}"},\n {"id": 2}\n]\n{\n "id": 3\n}\n'
    assert json_records(text) == [
        (2, '{"id": 1, "s": "a,]}"}'),
        (3, '{"id": 2}'),
        (5, '{  "id": 3 }'),
    ]
    # Text that does not parse ends the records and is kept whole (it is quarantined).
    assert json_records('{"id": 5}\n{"id": 6, oops\n}') == [
        (1, '{"id": 5}'),
        (2, '{"id": 6, oops }'),
    ]
    assert json_records('[{"id": 7} {"id": 8}]') == [(1, '{"id": 7}'), (1, '{"id": 8}]')]
    assert json_records('[{"id": 7},') == [(1, '{"id": 7}')]  # each record once, none twice
    assert json_records("[]") == []


def test_comments_are_stripped_outside_strings_only():
    text = '/* c */ {"a": "//not a comment /* nor this */", // tail\n "b": 1}'
    assert json_records(strip_comments(text)) == [
        (1, '{"a": "//not a comment /* nor this */",          "b": 1}')
    ]


@pytest.mark.parametrize(
    ("default", "sql"),
    [
        ("current_timestamp()", "current_timestamp()"),
        ("'web'", "'web'"),
        (3, "3"),
        (True, "true"),
        (None, None),
    ],
)
def test_defaults_are_sql_expressions_or_literals(default, sql):
    assert Column(name="c", type="STRING", default=default).default_sql == sql


def test_a_default_reading_a_column_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="""for the text web write "'web'\""""):
        Column(name="c", type="STRING", default="web")


def test_ddl_declares_defaults_where_the_engine_has_them():
    from lakehouse_assets.contracts.models import TableContract
    from lakehouse_assets.engine.capabilities import SAIL, SPARK
    from lakehouse_assets.tables.ddl import create_table_plan
    from lakehouse_assets.tables.location import TableLocation

    contract = TableContract.model_validate(
        {
            "schema": "s",
            "name": "t",
            "columns": [
                {"name": "id", "type": "INT", "nullable": False},
                {"name": "channel", "type": "STRING", "default": "'web'"},
            ],
        }
    )
    where = TableLocation(label="silver.s.t", path="/lake/s/t", name=None, by_path=True)
    spark = create_table_plan(contract, contract.columns, [], where, SPARK).statements
    assert spark == [
        "CREATE TABLE IF NOT EXISTS delta.`/lake/s/t` (`id` INT NOT NULL, "
        "`channel` STRING DEFAULT 'web') USING delta TBLPROPERTIES "
        "('delta.feature.allowColumnDefaults' = 'supported')"
    ]
    sail = create_table_plan(contract, contract.columns, [], where, SAIL).statements
    assert "DEFAULT" not in sail[-1]  # filled on write there (delta-rs writes Sail's merges)
