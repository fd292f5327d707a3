"""Each class of contract error names the file, the field and the fix; all are reported at once."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lakehouse_assets.project_loader import load_project
from tests.conftest import write_contract_folder
from tests.helpers import environment, run_command

CONFIG = json.dumps(
    {
        "EXECUTION_ENVIRONMENT": "local",
        "environments": {"local": environment(layers=("bronze", "silver"))},
    }
)


def table(name: str, layer: str, columns: list[str], **extra) -> str:
    return json.dumps(
        {
            "catalog": f"{{catalog.{layer}}}",
            "schema": "s",
            "name": name,
            "columns": [{"name": c, "type": "STRING"} for c in columns],
            **extra,
        }
    )


def promotion(**overrides) -> str:
    body = {
        "name": "p",
        "strategy": "full_merge",
        "source_contract": "../tables/raw.json",
        "destination_contract": "../tables/clean.json",
        "merge_keys": ["id"],
        "watermark_col": "ts",
    }
    return json.dumps({**body, **overrides})


def promotion_folder(root: Path, raw: str, clean: str, load_type: str | None = None, **fields):
    """Bronze `raw` promoted into silver `clean` by ingestion/p.json (these fields over the
    keys every such test shares), loaded: the folder the promotion-option contract tests check."""
    promo = {
        "name": "p",
        "source_contract": "../tables/raw.json",
        "destination_contract": "../tables/clean.json",
        "merge_keys": ["id"],
        **fields,
    }
    ingestion = {
        "name": "r",
        "source": {"path": "{path.landing}/r"},
        "destination_contract": "../tables/raw.json",
        **({"load_type": load_type} if load_type else {}),
    }
    files = {
        "config.json": CONFIG,
        "tables/raw.json": raw,
        "tables/clean.json": clean,
        "ingestion/raw.json": json.dumps(ingestion),
        "ingestion/p.json": json.dumps(promo),
    }
    return load_project(write_contract_folder(root, files))


def broken_folder(root: Path) -> Path:
    return write_contract_folder(
        root,
        {
            "config.json": CONFIG,
            "tables/raw.json": table("raw", "bronze", ["id", "ts", "v"]),
            "tables/clean.json": table("clean", "silver", ["id", "ts", "v"]),
            "tables/dup_a.json": table("twin", "bronze", ["id"]),
            "tables/dup_b.json": table("twin", "bronze", ["id"]),
            "tables/bad_ident.json": table("bad-name", "silver", ["id"]),
            "ingestion/raw.json": json.dumps(
                {
                    "name": "r",
                    "source": {"path": "{path.landing}/r"},
                    "destination_contract": "../tables/raw.json",
                }
            ),
            "ingestion/twin_a.json": json.dumps(
                {
                    "name": "a",
                    "source": {"path": "{path.landing}/a"},
                    "destination_contract": "../tables/dup_a.json",
                }
            ),
            "ingestion/twin_b.json": json.dumps(
                {
                    "name": "b",
                    "source": {"path": "{path.landing}/b"},
                    "destination_contract": "../tables/dup_b.json",
                }
            ),
            "ingestion/unknown_strategy.json": promotion(strategy="upsert_magic"),
            "ingestion/missing_key.json": promotion(merge_keys=["nope"]),
            "ingestion/placeholder.json": json.dumps(
                {
                    "name": "x",
                    "source": {"path": "{path.nowhere}/x"},
                    "destination_contract": "../tables/raw.json",
                }
            ),
            "ingestion/broken_path.json": promotion(destination_contract="../tables/missing.json"),
        },
    )


def test_every_error_class_is_reported_at_once(tmp_path: Path):
    project = load_project(broken_folder(tmp_path))
    text = "\n".join(str(i) for i in project.errors)
    expected = {
        "unknown strategy": (
            "ingestion/unknown_strategy.json: strategy",
            "'upsert_magic'",
            "full_merge",
        ),
        "missing merge key": ("ingestion/missing_key.json: merge_keys", "'nope'", "use one of"),
        "unresolved placeholder": (
            "ingestion/placeholder.json: source.path",
            "{path.nowhere}",
            "{path.landing}",
        ),
        "broken relative path": (
            "ingestion/broken_path.json: destination_contract",
            "broken relative path",
            "relative to the contract file",
        ),
        "duplicate table": ("built by two contracts", "tables/dup_a.json", "tables/dup_b.json"),
        "bad identifier": (
            "tables/bad_ident.json: name",
            "bad identifier 'bad-name'",
            "letters, digits",
        ),
    }
    for label, fragments in expected.items():
        lines = [line for line in text.splitlines() if fragments[0] in line]
        assert lines, f"no {label} error in:\n{text}"
        for fragment in fragments[1:]:
            assert any(fragment in line for line in lines), f"{label}: {fragment!r} missing"
    assert len(project.errors) == len(expected)


def test_validate_cli_prints_all_and_exits_non_zero(tmp_path: Path):
    folder = broken_folder(tmp_path)
    done = run_command([sys.executable, "-m", "lakehouse_assets.cli", "validate", str(folder)])
    assert done.returncode == 1
    assert done.stderr.count("error:") == 6
    assert "6 errors" in done.stdout


def test_validate_cli_passes_the_demo_without_warnings(demo_dir: Path):
    done = run_command([sys.executable, "-m", "lakehouse_assets.cli", "validate", str(demo_dir)])
    assert done.returncode == 0, done.stderr
    assert "0 errors, 0 warnings" in done.stdout
    assert "warning" not in done.stderr


def test_syntax_and_type_errors_name_the_file(tmp_path: Path):
    folder = write_contract_folder(
        tmp_path,
        {
            "config.json": CONFIG,
            "tables/a.json": '{"schema": "s", "name": "a", "columns": [',
            "tables/b.json": json.dumps(
                {"schema": "s", "name": "b", "columns": [{"name": "x", "type": "VARCHAR2"}]}
            ),
            "tables/c.yaml": "schema: s\nname: c\ncolumns:\n  - {name: x}\n",
        },
    )
    errors = {str(i.file): i for i in load_project(folder).errors}
    assert "does not parse" in errors["tables/a.json"].message
    assert errors["tables/b.json"].field == "columns[0].type"
    assert "unknown column type 'VARCHAR2'" in errors["tables/b.json"].message
    assert errors["tables/c.yaml"].field == "columns[0].type"
    assert errors["tables/c.yaml"].message == "required field is missing"


def test_json_schema_is_current():
    from lakehouse_assets.contracts.json_schema import contract_json_schema
    from lakehouse_assets.project_loader import EXTENSIONS

    committed = json.loads(
        (Path(__file__).parents[1] / "contracts" / "contract.schema.json").read_text()
    )
    schema = contract_json_schema(EXTENSIONS.strategies.known())
    assert committed == json.loads(json.dumps(schema)), (
        "run: lakehouse schema --out contracts/contract.schema.json"
    )
