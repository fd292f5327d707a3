"""Contract -> Dagster asset attributes, in small overridable methods (as DagsterDbtTranslator)."""

from __future__ import annotations

import re
from typing import Any

from dagster import (
    AssetKey,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableSchema,
)

from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.tables.physical import physical_columns

_TAG_TEXT = re.compile(r"[^A-Za-z0-9_.-]")


def _tag(text: str) -> str:
    return _TAG_TEXT.sub("_", text)[:63]


class ContractTranslator:
    def get_asset_key(self, asset: TableAsset) -> AssetKey:
        return AssetKey(list(asset.key))

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
        extra = {"gold_sql": "sql", "gold_python": "python"}.get(asset.kind, "spark")
        return {"delta", extra}

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

    def get_column_lineage(self, asset: TableAsset) -> TableColumnLineage | None:
        """Silver columns come from the bronze columns of the same name."""
        if asset.promotion is None or not asset.deps:
            return None
        source = AssetKey(list(asset.deps[0]))
        return TableColumnLineage(
            deps_by_column={
                c: [TableColumnDep(asset_key=source, column_name=c)]
                for c in asset.contract.column_names
                if c in asset.source_columns
            }
        )

    def get_metadata(self, asset: TableAsset) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "dagster/column_schema": self.get_column_schema(asset),
            "dagster/table_name": ".".join(asset.key),
            "contract": MetadataValue.path(str(asset.table.file)),
        }
        lineage = self.get_column_lineage(asset)
        if lineage is not None:
            meta["dagster/column_lineage"] = lineage
        if asset.promotion is not None:
            meta["merge_keys"] = ", ".join(asset.promotion.merge_keys)
            if asset.promotion.order_col:
                meta["order_column"] = asset.promotion.order_col
        if asset.ingestion is not None and asset.ingestion.source.path:
            meta["landing_path"] = MetadataValue.path(asset.ingestion.source.path)
        if asset.sql:
            meta["sql"] = MetadataValue.md(f"```sql\n{asset.sql.strip()}\n```")
        return meta
