"""The assets a contract folder builds: bronze tables from ingestions, silver tables from
promotions, gold tables from SQL or registered Python builders; then the tables they
read that nothing here builds. Other table contracts are loaded and checked, not built."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lakehouse_assets.contracts.broken_files import BrokenFiles
from lakehouse_assets.contracts.extensions import PromotionRules
from lakehouse_assets.contracts.format_rules import bronze_problems, source_problems
from lakehouse_assets.contracts.gold_deps import GoldDeps
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.project import AssetKeyPath, LoadedTable, Project, TableAsset
from lakehouse_assets.contracts.promotion_checks import check_promotion
from lakehouse_assets.contracts.references import resolve_ref


class AssetGraph:
    """`builders`: {"schema.table": the "schema.table" names it reads} of each Python builder."""

    def __init__(
        self,
        project: Project,
        log: IssueLog,
        broken: BrokenFiles,
        rules: PromotionRules,
        builders: Mapping[str, tuple[str, ...]],
    ):
        self.project = project
        self.log = log
        self.broken = broken
        self.rules = rules
        self.builders = builders

    def build(self) -> None:
        self._bronze()
        self._silver()
        self._gold()
        self._external()

    def _ref(self, file: Path, ref: str, field: str) -> LoadedTable | None:
        return resolve_ref(self.project, self.log, self.broken, file, ref, field)

    def _bronze(self) -> None:
        for file, ing in self.project.ingestions.items():
            table = self._ref(file, ing.destination_contract, "destination_contract")
            if table is None or not ing.enabled:
                continue
            self.log.report(table.file, bronze_problems(ing, table.contract))
            self.log.report(file, source_problems(ing, table.contract))
            self._add(
                TableAsset(
                    ("bronze", table.schema, table.name), "bronze", table, file, ingestion=ing
                )
            )

    def _silver(self) -> None:
        for file, promo in self.project.promotions.items():
            source = self._ref(file, promo.source_contract, "source_contract")
            dest = self._ref(file, promo.destination_contract, "destination_contract")
            if source is None or dest is None or not promo.enabled:
                continue
            check_promotion(self.log, self.rules, file, promo, source, dest)
            self._add(
                TableAsset(
                    ("silver", dest.schema, dest.name),
                    "silver",
                    dest,
                    file,
                    promotion=promo,
                    deps=(self._key_of(source),),
                    source_columns=tuple(source.contract.column_names),
                )
            )

    def _gold(self) -> None:
        gold = GoldDeps(self.project, self.log, self.broken)
        for table in self.project.tables:
            label = f"{table.schema}.{table.name}"
            if table.contract.has_sql:
                asset = gold.sql_asset(table)
            elif label in self.builders and table.declared_layer in (None, "gold"):
                asset = gold.python_asset(table, self.builders[label])
            else:
                continue
            if asset is not None:
                self._add(asset)

    def _external(self) -> None:
        """Tables that built assets read but nothing builds (e.g. written by user code)."""
        project = self.project
        for asset in project.assets.values():
            for dep in asset.deps:
                if dep not in project.assets and dep not in project.external:
                    source = next(
                        (t for t in project.tables if (t.schema, t.name) == dep[1:]), None
                    )
                    if source is not None:
                        project.external[dep] = source

    def _add(self, asset: TableAsset) -> None:
        other = self.project.assets.get(asset.key)
        if other is None:
            self.project.assets[asset.key] = asset
            return
        files = sorted(
            {
                str(self.log.rel(f))
                for f in (
                    other.producer_file,
                    asset.producer_file,
                    other.table.file,
                    asset.table.file,
                )
            }
        )
        self.log.add(
            asset.producer_file,
            "",
            f"table {'.'.join(asset.key)} is built by two contracts: {' and '.join(files)}",
            "disable one of them (enabled: false) or give the tables different names",
        )

    def _key_of(self, table: LoadedTable) -> AssetKeyPath:
        for asset in self.project.assets.values():
            if asset.table.file == table.file:
                return asset.key
        return (table.declared_layer or "bronze", table.schema, table.name)
