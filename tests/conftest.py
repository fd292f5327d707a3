"""Shared fixtures: the real embedded engine, the demo contracts copied into temp dirs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_CONTRACTS = REPO / "contracts"


@pytest.fixture(scope="session")
def spark_resource():
    from lakehouse_assets.engine.resource import SparkResource

    return SparkResource(mode="local")


@pytest.fixture(scope="session")
def spark(spark_resource):
    return spark_resource.get_session()


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 (tests/s3_server.py), started on first use, stopped at
    the end of the session by its pid; each test makes its own bucket (new_bucket)."""
    from tests.s3_server import moto_server

    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("LAKEHOUSE_DATA_ROOT", str(root))
    return root


@pytest.fixture
def demo_dir(tmp_path: Path, data_root: Path) -> Path:
    """A private copy of the demo contracts whose data lives under data_root."""
    target = tmp_path / "contracts"
    shutil.copytree(DEMO_CONTRACTS, target)
    return target


@pytest.fixture
def demo_project(demo_dir: Path):
    from lakehouse_assets.project_loader import load_project_or_raise

    return load_project_or_raise(str(demo_dir))


@pytest.fixture
def demo_landing(demo_project) -> Iterator[Path]:
    """Three days of generated landing files for the demo project."""
    from lakehouse_assets.demo.generator import generate

    landing = Path(demo_project.environment.paths["landing"])
    generate(landing, date(2024, 1, 1), 3, scale=1)
    yield landing


def write_contract_folder(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bootstrap servers of a real Kafka broker in KRaft mode on 127.0.0.1
    (tests/kafka_broker.py), started on first use, stopped at the end of the session by its pid;
    each test makes its own topics."""
    from tests.kafka_broker import kafka_broker

    with kafka_broker(tmp_path_factory.mktemp("kafka")) as bootstrap:
        yield bootstrap
