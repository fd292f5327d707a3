"""Contract folders as teams keep them. Referenced tables become assets; old versions,
scratch copies, dimension tables of the team's own code and gold without SQL are governed but
not built; only a duplicate among used contracts is an error."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lakehouse_assets.assets.python_gold import unregister
from lakehouse_assets.project_loader import load_project
from tests.conftest import write_contract_folder
from tests.helpers import delta_rows, environment, run_assets, run_command, table_path

CONFIG = {
    "EXECUTION_ENVIRONMENT": "local",
    "PYTHON_MODULES": ["team_gold"],
    "_doc": "config lives in config/",
    "environments": {"local": environment()},
}


def table(name: str, layer: str, cols: list[str], **extra) -> str:
    return json.dumps(
        {
            "_doc": f"{name} contract",
            "catalog": f"{{catalog.{layer}}}",
            "schema": "ventas",
            "name": name,
            "owner": "ventas-team",
            "tags": {"domain": "ventas"},
            "comment": f"table {name}",
            "columns": [{"name": c, "type": _type(c), "_doc": "a column"} for c in cols],
            **extra,
        }
    )


def _type(column: str) -> str:
    return "BIGINT" if column.endswith("id") or column == "pedidos" else "STRING"


def ingestion(name: str, dest: str, **extra) -> str:
    return json.dumps(
        {
            "_doc": "landing -> bronze",
            "name": name,
            "description": "ingest",
            "source": {"format": "json", "path": f"{{path.landing}}/{name}"},
            "destination_contract": dest,
            **extra,
        }
    )


def promotion(name: str, source: str, dest: str) -> str:
    return json.dumps(
        {
            "_doc": "bronze -> silver",
            "name": name,
            "strategy": "full_merge",
            "source_contract": source,
            "destination_contract": dest,
            "merge_keys": ["pedido_id"],
            "watermark_col": "updated",
            "owner": "ventas-team",
            "tags": ["curated"],
        }
    )


GOLD_MODULE = """
from lakehouse_assets import gold_builder


@gold_builder("ventas.pedidos_por_estado", deps=["ventas.pedidos"])
def pedidos_por_estado(inputs):
    return inputs.table("ventas.pedidos").groupBy("estado").count().withColumnRenamed(
        "count", "pedidos")
"""

PEDIDO_COLS = ["pedido_id", "estado", "updated"]


@pytest.fixture
def messy(tmp_path: Path, data_root: Path, monkeypatch: pytest.MonkeyPatch):
    root = write_contract_folder(
        tmp_path / "proyecto",
        {
            "config/config.json": json.dumps(CONFIG),
            # Two versions of one table: only v2 is referenced.
            "tables/bronze/pedidos_v1.json": table(
                "pedidos_raw", "bronze", ["pedido_id", "estado"]
            ),
            "tables/bronze/pedidos_v2.json": table("pedidos_raw", "bronze", PEDIDO_COLS),
            # A scratch copy beside the real one.
            "tables/bronze_x_raw.json": table("x_raw", "bronze", ["x_id"]),
            "tables/bronze_new/x_raw.json": table("x_raw", "bronze", ["x_id", "extra"]),
            "tables/silver/pedidos.json": table("pedidos", "silver", PEDIDO_COLS),
            # Written by the team's own code; gold SQL reads it.
            "tables/dims/dim_estado.json": table("dim_estado", "silver", ["estado", "grupo"]),
            "tables/gold/resumen.json": table(
                "resumen",
                "gold",
                ["grupo", "pedidos"],
                sql="SELECT d.grupo, COUNT(*) AS pedidos FROM {catalog.silver}.ventas.pedidos p "
                "JOIN ventas.dim_estado d ON p.estado = d.estado GROUP BY d.grupo",
            ),
            "tables/gold/pedidos_por_estado.json": table(
                "pedidos_por_estado", "gold", ["estado", "pedidos"]
            ),
            "tables/gold/margen.json": table("margen", "gold", ["grupo", "margen"]),
            "ingestion/batch/pedidos.json": ingestion(
                "pedidos", "../../tables/bronze/pedidos_v2.json"
            ),
            "ingestion/streaming/x.json": ingestion(
                "x", "../../tables/bronze_x_raw.json", ingest_type="streaming"
            ),
            "ingestion/silver/pedidos.json": promotion(
                "pedidos", "../../tables/bronze/pedidos_v2.json", "../../tables/silver/pedidos.json"
            ),
            "ingestion/old/pedidos_v1.json": ingestion(
                "pedidos_v1", "../../tables/bronze/pedidos_v1.json", enabled=False
            ),
        },
    )
    module_dir = tmp_path / "code"
    module_dir.mkdir()
    (module_dir / "team_gold.py").write_text(GOLD_MODULE)
    monkeypatch.syspath_prepend(str(module_dir))
    yield root
    unregister("ventas.pedidos_por_estado")
    sys.modules.pop("team_gold", None)


def test_exact_asset_set(messy: Path):
    project = load_project(messy)
    assert project.errors == [] and project.warnings == []
    assert {"/".join(k): a.kind for k, a in project.assets.items()} == {
        "bronze/ventas/pedidos_raw": "bronze",
        "bronze/ventas/x_raw": "bronze",
        "silver/ventas/pedidos": "silver",
        "gold/ventas/resumen": "gold_sql",
        "gold/ventas/pedidos_por_estado": "gold_python",
    }
    assert project.assets[("bronze", "ventas", "pedidos_raw")].table.file.name == "pedidos_v2.json"
    assert (
        project.assets[("bronze", "ventas", "x_raw")].table.file
        == messy / "tables/bronze_x_raw.json"
    )
    assert project.assets[("gold", "ventas", "resumen")].deps == (
        ("silver", "ventas", "pedidos"),
        ("silver", "ventas", "dim_estado"),
    )
    assert set(project.external) == {("silver", "ventas", "dim_estado")}
    unbuilt = sorted(str(t.file.relative_to(messy)) for t in project.unbuilt_tables())
    assert unbuilt == [
        "tables/bronze/pedidos_v1.json",
        "tables/bronze_new/x_raw.json",
        "tables/dims/dim_estado.json",
        "tables/gold/margen.json",
    ]


def test_validate_lists_what_is_not_built(messy: Path):
    done = run_command(
        [sys.executable, "-m", "lakehouse_assets.cli", "validate", str(messy)],
        env={"PYTHONPATH": str(messy.parent / "code"), **_env()},
    )
    assert done.returncode == 0, done.stderr
    info = [line for line in done.stdout.splitlines() if line.startswith("info:")]
    assert info == [
        "info: tables/bronze/pedidos_v1.json: table ventas.pedidos_raw is not built by any "
        "contract",
        "info: tables/bronze_new/x_raw.json: table ventas.x_raw is not built by any contract",
        "info: tables/dims/dim_estado.json: table ventas.dim_estado is not built by any contract",
        "info: tables/gold/margen.json: table ventas.margen is not built by any contract",
    ]
    assert "5 assets, 4 tables not built, 0 errors, 0 warnings" in done.stdout


def test_duplicate_among_used_contracts_names_both_files(messy: Path):
    old = messy / "ingestion/old/pedidos_v1.json"
    old.write_text(json.dumps({**json.loads(old.read_text()), "enabled": True}))
    errors = [str(e) for e in load_project(messy).errors]
    assert len(errors) == 1
    assert "bronze.ventas.pedidos_raw is built by two contracts" in errors[0]
    for name in (
        "tables/bronze/pedidos_v1.json",
        "tables/bronze/pedidos_v2.json",
        "ingestion/batch/pedidos.json",
        "ingestion/old/pedidos_v1.json",
    ):
        assert name in errors[0]


def test_ambiguous_relative_path_names_every_match(messy: Path):
    (messy / "ingestion/streaming/x.json").write_text(ingestion("x", "x_raw.json"))
    (messy / "tables/old").mkdir()
    (messy / "tables/old/x_raw.json").write_text(table("x_raw", "bronze", ["x_id"]))
    errors = [str(e) for e in load_project(messy).errors]
    assert len(errors) == 1
    assert "ingestion/streaming/x.json: destination_contract: x_raw.json is ambiguous" in errors[0]
    assert "tables/bronze_new/x_raw.json" in errors[0] and "tables/old/x_raw.json" in errors[0]


def test_unknown_fields_warn_with_file_and_field(messy: Path):
    path = messy / "tables/silver/pedidos.json"
    body = json.loads(path.read_text())
    body["retention_dayz"] = 30
    body["columns"][1]["colour"] = "red"
    path.write_text(json.dumps(body))
    project = load_project(messy)
    assert project.errors == []
    assert sorted(str(w) for w in project.warnings) == [
        "warning: tables/silver/pedidos.json: columns[1].colour: unknown field (ignored) "
        "(fix: remove it or check its spelling)",
        "warning: tables/silver/pedidos.json: retention_dayz: unknown field (ignored) "
        "(fix: remove it or check its spelling)",
    ]


def test_descriptive_fields_reach_the_ui(messy: Path):
    from dagster import AssetKey

    from lakehouse_assets.code_location import build_definitions

    graph = build_definitions(str(messy)).resolve_asset_graph()
    node = graph.get(AssetKey(["silver", "ventas", "pedidos"]))
    assert node.description == "table pedidos"
    assert node.owners == ["team:ventas-team"]
    assert node.tags["domain"] == "ventas"


def test_python_gold_builder_materializes(messy: Path, spark_resource):
    from lakehouse_assets.project_loader import load_project_or_raise

    project = load_project_or_raise(str(messy))
    landing = Path(project.environment.paths["landing"]) / "pedidos" / "dt=2024-01-01"
    landing.mkdir(parents=True)
    events = [
        {
            "pedido_id": i,
            "estado": "abierto" if i % 3 else "cerrado",
            "updated": "2024-01-01T10:00:00",
        }
        for i in range(1, 10)
    ]
    (landing / "a.json").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    run_assets(
        project,
        spark_resource,
        ["bronze/ventas/pedidos_raw", "silver/ventas/pedidos"],
        "2024-01-01",
    )
    run_assets(project, spark_resource, ["gold/ventas/pedidos_por_estado"])
    rows = {
        r["estado"]: r["pedidos"]
        for r in delta_rows(table_path(project, "gold/ventas/pedidos_por_estado"))
    }
    assert rows == {"abierto": 6, "cerrado": 3}


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
