"""A loaded contract folder: its contracts, the assets they build, and what they do not build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lakehouse_assets.contracts.environment import Environment, ProjectConfig
from lakehouse_assets.contracts.errors import ContractIssue
from lakehouse_assets.contracts.models import (
    IngestionContract,
    PromotionContract,
    TableContract,
)

AssetKeyPath = tuple[str, str, str]  # (layer, schema, table)
AssetKind = Literal["bronze", "silver", "gold_sql", "gold_python"]


@dataclass(frozen=True)
class LoadedTable:
    file: Path
    contract: TableContract
    declared_layer: str | None

    @property
    def schema(self) -> str:
        return self.contract.schema_

    @property
    def name(self) -> str:
        return self.contract.name


@dataclass(frozen=True)
class TableAsset:
    """One table contract that some contract builds: it becomes one Dagster asset."""

    key: AssetKeyPath
    kind: AssetKind
    table: LoadedTable
    producer_file: Path
    ingestion: IngestionContract | None = None
    promotion: PromotionContract | None = None
    sql: str | None = None
    deps: tuple[AssetKeyPath, ...] = ()
    # Gold SQL: each table name the query reads, and the asset key it stands for.
    sql_refs: tuple[tuple[tuple[str, str, str], AssetKeyPath], ...] = ()
    # Silver: the columns of its source table contract.
    source_columns: tuple[str, ...] = ()

    @property
    def layer(self) -> str:
        return self.key[0]

    @property
    def contract(self) -> TableContract:
        return self.table.contract

    @property
    def partitioned(self) -> bool:
        return self.kind in ("bronze", "silver")

    @property
    def key_string(self) -> str:
        return "/".join(self.key)


@dataclass
class Project:
    root: Path
    config: ProjectConfig
    env_name: str
    environment: Environment
    tables: list[LoadedTable] = field(default_factory=list)
    ingestions: dict[Path, IngestionContract] = field(default_factory=dict)
    promotions: dict[Path, PromotionContract] = field(default_factory=dict)
    assets: dict[AssetKeyPath, TableAsset] = field(default_factory=dict)
    # Tables that built assets read but that nothing here builds (e.g. written by user code).
    external: dict[AssetKeyPath, LoadedTable] = field(default_factory=dict)
    issues: list[ContractIssue] = field(default_factory=list)
    # Table files not built only because a contract they need did not load (see loader).
    blocked: set[Path] = field(default_factory=set)

    @property
    def errors(self) -> list[ContractIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ContractIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    def unbuilt_tables(self) -> list[LoadedTable]:
        """Tables no contract builds (a table waiting for a broken contract is not one)."""
        built = {a.table.file for a in self.assets.values()} | self.blocked
        return [t for t in self.tables if t.file not in built]

    def asset(self, key: AssetKeyPath | list[str] | str) -> TableAsset:
        path = tuple(key.split("/")) if isinstance(key, str) else tuple(key)
        return self.assets[path]  # type: ignore[index]

    def table_for(self, key: AssetKeyPath) -> LoadedTable:
        """The contract behind an asset key, built here or only read (external)."""
        if key in self.assets:
            return self.assets[key].table
        return self.external[key]
