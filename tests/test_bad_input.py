"""Bad landing input, case by case (tests/bad_input_cases.py): each file ends loaded, or in
quarantine with its line and reason; rows in = loaded + quarantined for every file, counted from
the file itself. Contract mistakes of the same family are errors naming file, field and fix."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from lakehouse_assets.project_loader import load_project
from tests.bad_input_cases import DAY, cases
from tests.conftest import write_contract_folder
from tests.helpers import delta_rows, run_assets, table_path

CONFIG = json.dumps(
    {
        "EXECUTION_ENVIRONMENT": "local",
        "environments": {
            "local": {
                "env": "local",
                "catalogs": {"bronze": "bronze", "silver": "silver"},
                "paths": {
                    "landing": "landing",
                    "bronze": "bronze",
                    "silver": "silver",
                    "ops": "ops",
                },
            }
        },
    }
)
COLUMNS = {
    "events": [
        ("id", "BIGINT", False),
        ("name", "STRING", True),
        ("amount", "DECIMAL(10,2)", True),
        ("ts", "TIMESTAMP", True),
        ("tags", "ARRAY<STRING>", True),
        ("op", "STRING", True),
    ],
    "rows": [("id", "BIGINT", False), ("name", "STRING", True), ("amount", "DECIMAL(10,2)", True)],
    "facts": [("id", "BIGINT", False), ("name", "STRING", True), ("amount", "DECIMAL(10,2)", True)],
}
FORMATS = {"events": ("json", {}), "rows": ("csv", {"header": "true"}), "facts": ("parquet", {})}


def _table(name: str, columns: list[tuple[str, str, bool]], layer: str = "bronze") -> str:
    return json.dumps(
        {
            "catalog": f"{{catalog.{layer}}}",
            "schema": "s",
            "name": name,
            "columns": [{"name": c, "type": t, "nullable": n} for c, t, n in columns],
            "partitions": ["_ingested_date"] if layer == "bronze" else [],
        }
    )


def _ingestion(source: str) -> str:
    fmt, options = FORMATS[source]
    return json.dumps(
        {
            "name": source,
            "source": {"format": fmt, "path": f"{{path.landing}}/{source}", "options": options},
            "destination_contract": f"../tables/{source}_raw.json",
        }
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory, spark_resource):
    root = tmp_path_factory.mktemp("bad_input")
    files = {"config.json": CONFIG}
    for source, columns in COLUMNS.items():
        files[f"tables/{source}_raw.json"] = _table(f"{source}_raw", columns)
        files[f"ingestion/{source}.json"] = _ingestion(source)
    files["tables/events.json"] = _table(
        "events",
        [("id", "BIGINT", False), ("name", "STRING", True), ("ts", "TIMESTAMP", True)],
        "silver",
    )
    files["ingestion/events_silver.json"] = json.dumps(
        {
            "name": "events",
            "strategy": "cdc_merge",
            "source_contract": "../tables/events_raw.json",
            "destination_contract": "../tables/events.json",
            "merge_keys": ["id"],
            "watermark_col": "ts",
            "op_col": "op",
        }
    )
    folder = write_contract_folder(root / "contracts", files)
    landing = root / "data" / "landing"
    for case in cases():
        path = landing / case.source / f"dt={DAY}" / case.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.content)
    mp = pytest.MonkeyPatch()
    mp.setenv("LAKEHOUSE_DATA_ROOT", str(root / "data"))
    try:
        project = load_project(folder)
        assert project.errors == []
        result = run_assets(
            project,
            spark_resource,
            [f"bronze/s/{s}_raw" for s in COLUMNS] + ["silver/s/events"],
            DAY,
        )
    finally:
        mp.undo()
    return project, result, landing


def _by_file(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(Path(row["_source_file"]).name, []).append(row)
    return out


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_each_file_is_loaded_or_quarantined_with_its_reason(built, case):
    project, _, _ = built
    key = f"bronze/s/{case.source}_raw"
    loaded = _by_file(delta_rows(table_path(project, key))).get(case.name, [])
    quarantine = Path(f"{table_path(project, key)}_quarantine")
    set_aside = _by_file(delta_rows(quarantine)).get(case.name, []) if quarantine.exists() else []
    assert case.rows_in == len(loaded) + len(set_aside)  # nothing lost, nothing twice
    assert len(loaded) == case.loaded
    assert sorted(((q["_line"], q["_quarantine_reason"]) for q in set_aside), key=str) == sorted(
        case.quarantined, key=str
    )
    for expected in case.values:
        row = next(r for r in loaded if r["id"] == expected["id"])
        for column, value in expected.items():
            got = row[column]
            assert (str(got) if isinstance(got, Decimal) else got) == value, column


def test_quarantined_rows_keep_their_raw_text(built):
    project, _, _ = built
    quarantine = delta_rows(f"{table_path(project, 'bronze/s/events_raw')}_quarantine")
    raw = {(Path(q["_source_file"]).name, q["_line"]): q["_raw"] for q in quarantine}
    assert raw[("j11 truncated last line.json", 2)] == '{"id": 16, "na'
    assert raw[("j05 invalid utf8.json", 2)] == '{"id": 6, "name": "\\xff\\xfe"}'
    assert raw[("j06 binary junk.json", None)].startswith("\\x00\\x01\\x02PK\\x03")


def test_unknown_and_null_cdc_ops_are_quarantined_never_applied(built):
    project, result, _ = built
    silver = {r["id"]: r for r in delta_rows(table_path(project, "silver/s/events"))}
    assert sorted(silver) == [40, 41]  # 'd' (lowercase) deleted 44 before it was ever stored
    quarantine = delta_rows(f"{table_path(project, 'silver/s/events')}_quarantine")
    reasons = Counter(q["_quarantine_reason"] for q in quarantine)
    known = "is not an insert, update or delete (I, U, D, INSERT, UPDATE, DELETE)"
    events_in_bronze = sum(c.loaded for c in cases() if c.source == "events")
    # Only j31's five events carry an op: every other bronze event has a NULL op.
    assert reasons == {f"op: 'X' {known}": 1, f"op: NULL {known}": events_in_bronze - 4}
    meta = next(
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "silver/s/events"
    )
    assert meta["unknown_ops"].value == events_in_bronze - 3


def test_run_metadata_counts_match_the_files(built):
    _, result, _ = built
    meta = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    for source in COLUMNS:
        mine = [c for c in cases() if c.source == source]
        facts = meta[f"bronze/s/{source}_raw"]
        assert facts["rows_written"].value == sum(c.loaded for c in mine)
        assert facts["rows_quarantined"].value == sum(len(c.quarantined) for c in mine)
        rescued = sum(1 for c in mine for v in c.values if v.get("_rescued_data"))
        assert facts["rows_with_rescued_data"].value == rescued + (source == "events")  # j17
        assert Counter(Path(p).name for p in facts["source_files"].value.splitlines()) == Counter(
            c.name for c in mine
        )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("ingestion/rows.json", "destination_contract", "../../../../etc/passwd"),
            "error: ingestion/rows.json: destination_contract: ../../../../etc/passwd points "
            "outside the contract folder (fix: keep contracts in the folder; paths are relative "
            "to the contract file)",
        ),
        (
            ("tables/rows_raw.json", "name", "rows; DROP TABLE x"),
            "error: tables/rows_raw.json: name: bad identifier 'rows; DROP TABLE x': use letters, "
            "digits and _ only",
        ),
        (
            ("ingestion/rows.json", "source", {"format": "csv", "path": "{path.nowhere}/x"}),
            "error: ingestion/rows.json: source.path: unresolved placeholder {path.nowhere} "
            "(fix: use one of {env}, {env_short}, {catalog.bronze}, {catalog.silver}, "
            "{path.landing}, {path.bronze}, {path.silver}, {path.ops} or add it to config.json)",
        ),
        (
            ("ingestion/rows.json", "schedule", "61 * * * *"),
            "error: ingestion/rows.json: schedule: '61 * * * *': minute '61' is outside 0-59; e.g. "
            '"0 6 * * *" (every day at 06:00)',
        ),
    ],
)
def test_contract_mistakes_of_bad_input_are_named(tmp_path, data_root, change, expected):
    files = {
        "config.json": CONFIG,
        "tables/rows_raw.json": _table("rows_raw", COLUMNS["rows"]),
        "ingestion/rows.json": _ingestion("rows"),
    }
    folder = write_contract_folder(tmp_path / "c", files)
    rel, field, value = change
    data = json.loads((folder / rel).read_text())
    data[field] = value
    (folder / rel).write_text(json.dumps(data))
    assert [str(i) for i in load_project(folder).errors] == [expected]


def test_identifier_injection_in_a_column_name_is_refused(tmp_path, data_root):
    columns = [*COLUMNS["rows"], ("a`; DROP TABLE t; --", "STRING", True)]
    folder = write_contract_folder(
        tmp_path / "c",
        {
            "config.json": CONFIG,
            "tables/rows_raw.json": _table("rows_raw", columns),
            "ingestion/rows.json": _ingestion("rows"),
        },
    )
    assert [str(i) for i in load_project(folder).errors] == [
        "error: tables/rows_raw.json: columns[3].name: bad identifier 'a`; DROP TABLE t; --': "
        "use letters, digits and _ only"
    ]


def test_a_warn_check_says_rows_were_quarantined_on_load(built):
    _, result, _ = built
    checks = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }
    events = checks[("bronze/s/events_raw", "quarantined_on_load")]
    assert not events.passed and events.severity.value == "WARN"
    expected = sum(len(c.quarantined) for c in cases() if c.source == "events")
    assert events.metadata["rows_quarantined_on_load"].value == expected
    assert checks[("bronze/s/events_raw", "row_accounting")].passed  # the run still succeeds
