"""Contract -> one Dagster `AssetSpec`, in small overridable methods (as DagsterDbtTranslator).

Every consumer takes its asset key, dependencies, partitions and automation from the spec
`get_asset_spec` makes (assets, checks, column lineage, landing sensors, schedules, the Delta
IO manager), so overriding one method changes it everywhere. The contract key stays the
table's identity inside the lakehouse: it is recorded in the spec's metadata
(`lakehouse/table`) so the IO manager maps an overridden key back to its table.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

from dagster import (
    AssetKey,
    AssetSpec,
    AutomationCondition,
    BackfillPolicy,
    BetaWarning,
    CodeReferencesMetadataValue,
    FreshnessPolicy,
    LocalFileCodeReference,
    MetadataValue,
    PartitionsDefinition,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableSchema,
)

from lakehouse_assets.assets import automation
from lakehouse_assets.assets.partitions import daily_partitions
from lakehouse_assets.checks.rules import rules_for
from lakehouse_assets.contracts.project import AssetKeyPath, Project, TableAsset
from lakehouse_assets.io.metadata_keys import URI
from lakehouse_assets.tables.location import TableLocation
from lakehouse_assets.tables.physical import physical_columns

_TAG_TEXT = re.compile(r"[^A-Za-z0-9_.-]")
TABLE_METADATA = "lakehouse/table"  # the contract key (layer/schema/table) behind an asset


def _tag(text: str) -> str:
    return _TAG_TEXT.sub("_", text)[:63]


def source_files(asset: TableAsset) -> list[tuple[str, Path]]:
    """The files a table asset is made from, labelled: its contract, its producer, its SQL."""
    files = [("contract", asset.table.file)]
    if asset.producer_file != asset.table.file:
        files.append(("ingestion" if asset.ingestion else "promotion", asset.producer_file))
    sql_file = asset.contract.sql_file
    if sql_file:
        files.append(("sql", (asset.table.file.parent / sql_file).resolve()))
    return files


class ContractTranslator:
    def get_asset_key(self, asset: TableAsset) -> AssetKey:
        return AssetKey(list(asset.key))

    def get_external_asset_key(self, key: AssetKeyPath) -> AssetKey:
        """A table read by this lakehouse but written elsewhere (no contract builds it)."""
        return AssetKey(list(key))

    def get_group_name(self, asset: TableAsset) -> str:
        return asset.layer

    def get_description(self, asset: TableAsset) -> str:
        c = asset.contract
        text = c.description or c.comment or c.doc
        producer = asset.ingestion or asset.promotion
        if not text and producer is not None:
            text = producer.description or producer.doc
        return text or f"{asset.layer} table {c.schema_}.{c.name}"

    def get_owners(self, asset: TableAsset) -> list[str]:
        """Dagster takes e-mails or team:name; other owner names become teams."""
        return [
            o if "@" in o or o.startswith("team:") else f"team:{_tag(o)}"
            for o in asset.contract.all_owners()
        ]

    def get_tags(self, asset: TableAsset) -> dict[str, str]:
        tags = {_tag(k): _tag(v) for k, v in asset.contract.tag_dict().items()}
        tags["layer"] = asset.layer
        if asset.promotion is not None:
            tags["strategy"] = asset.promotion.strategy
        if asset.ingestion is not None:
            tags["load_type"] = asset.ingestion.load_type
        return tags

    def get_kinds(self, asset: TableAsset) -> set[str]:
        """Kinds the UI draws icons for: the storage, the layer, and how it is computed."""
        compute = {"gold_sql": "sql", "gold_python": "python"}.get(asset.kind, "spark")
        return {"deltalake", asset.layer, compute}

    def get_code_version(self, asset: TableAsset) -> str:
        """A hash of the files the table is made from: editing one shows "code changed"."""
        digest = hashlib.sha256()
        for label, path in source_files(asset):
            digest.update(label.encode())
            digest.update(path.read_bytes() if path.is_file() else str(path).encode())
        return digest.hexdigest()[:16]

    def get_partitions_def(
        self, asset: TableAsset, project: Project
    ) -> PartitionsDefinition | None:
        """Bronze and silver share one daily definition (override both alike, or silver's
        days no longer map onto bronze's)."""
        return daily_partitions(project) if asset.partitioned else None

    def get_automation_condition(self, asset: TableAsset) -> AutomationCondition | None:
        return automation.automation_condition(asset)

    def get_backfill_policy(self, asset: TableAsset) -> BackfillPolicy | None:
        return automation.backfill_policy(asset)

    def get_freshness_policy(self, asset: TableAsset) -> FreshnessPolicy | None:
        """The strictest `freshness` rule: the UI shows the table stale when nothing ran."""
        hours = [r.max_age_hours for r in rules_for(asset) if r.max_age_hours]
        if not hours:
            return None
        return FreshnessPolicy.time_window(fail_window=timedelta(hours=min(hours)))

    def get_pool(self, asset: TableAsset) -> str | None:
        """One concurrency pool per table: with a pool limit set on the instance, runs
        writing the same table queue instead of racing for its commit."""
        return "lakehouse/" + asset.key_string

    def get_column_schema(self, asset: TableAsset) -> TableSchema:
        return TableSchema(
            columns=[
                TableColumn(
                    c.name,
                    c.type,
                    description=c.comment,
                    constraints=TableColumnConstraints(nullable=c.nullable),
                )
                for c in physical_columns(asset)
            ]
        )

    def get_column_lineage(
        self, asset: TableAsset, source: AssetKey | None
    ) -> TableColumnLineage | None:
        """Silver columns come from the bronze (`source`) columns of the same name."""
        if asset.promotion is None or source is None:
            return None
        return TableColumnLineage(
            deps_by_column={
                c: [TableColumnDep(asset_key=source, column_name=c)]
                for c in asset.contract.column_names
                if c in asset.source_columns
            }
        )

    def get_code_references(self, asset: TableAsset) -> CodeReferencesMetadataValue:
        """The contract, producer and SQL files; dagster's `link_code_references_to_git`
        turns them into links to the repository."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BetaWarning)  # stable enough; once per asset
            return CodeReferencesMetadataValue(
                code_references=[
                    LocalFileCodeReference(file_path=str(path), line_number=1, label=label)
                    for label, path in source_files(asset)
                ]
            )

    def get_metadata(self, asset: TableAsset, location: TableLocation) -> dict[str, Any]:
        meta: dict[str, Any] = {
            TABLE_METADATA: asset.key_string,
            "dagster/column_schema": self.get_column_schema(asset),
            "dagster/table_name": location.name or location.label,
            "dagster/code_references": self.get_code_references(asset),
            "contract": MetadataValue.path(str(asset.table.file)),
        }
        if location.path:
            meta[URI] = MetadataValue.path(location.path)
        if asset.promotion is not None:
            meta["merge_keys"] = ", ".join(asset.promotion.merge_keys)
            if asset.promotion.order_col:
                meta["order_column"] = ", ".join(asset.promotion.order_cols)
        if asset.ingestion is not None and asset.ingestion.source.path:
            meta["landing_path"] = MetadataValue.path(asset.ingestion.source.path)
        if asset.sql:
            meta["sql"] = MetadataValue.md(f"```sql\n{asset.sql.strip()}\n```")
        return meta

    def dep_key(self, project: Project, key: AssetKeyPath) -> AssetKey:
        """contract_specs makes a table's spec after its dependencies' (assets/specs.py), so an
        override may name a dependency by the spec it already made (lakehouse_assets.component
        does, for keys its `translation` changed)."""
        built = project.assets.get(key)
        return self.get_asset_key(built) if built else self.get_external_asset_key(key)

    def get_asset_spec(
        self, asset: TableAsset, project: Project, location: TableLocation
    ) -> AssetSpec:
        deps = [self.dep_key(project, d) for d in asset.deps]
        metadata = self.get_metadata(asset, location)
        lineage = self.get_column_lineage(asset, deps[0] if deps else None)
        if lineage is not None:
            metadata["dagster/column_lineage"] = lineage
        return AssetSpec(
            key=self.get_asset_key(asset),
            deps=deps,
            description=self.get_description(asset),
            metadata=metadata,
            group_name=self.get_group_name(asset),
            code_version=self.get_code_version(asset),
            automation_condition=self.get_automation_condition(asset),
            owners=self.get_owners(asset),
            tags=self.get_tags(asset),
            kinds=self.get_kinds(asset),
            partitions_def=self.get_partitions_def(asset, project),
            freshness_policy=self.get_freshness_policy(asset),
        )
