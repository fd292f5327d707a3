"""CREATE TABLE from a contract: columns, NOT NULL, comments, partitioning, properties."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lakehouse_assets.contracts.identifiers import quote, sql_string
from lakehouse_assets.contracts.models import Column, TableContract
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.tables.location import TableLocation

# Contract properties that configure writes rather than the table.
WRITE_OPTIONS = frozenset({"merge_schema", "change_data_feed"})
DDL_DATABASE = "lakehouse_ddl"


@dataclass
class CreatePlan:
    statements: list[str]
    properties: dict[str, str]
    skipped: list[str] = field(default_factory=list)  # what the engine cannot honour, and why


def column_ddl(column: Column, defaults: bool = False) -> str:
    text = f"{quote(column.name)} {column.type}"
    if not column.nullable:
        text += " NOT NULL"
    if defaults and column.default_sql is not None:
        text += f" DEFAULT {column.default_sql}"
    if column.comment:
        text += f" COMMENT {sql_string(column.comment)}"
    return text


def property_list(props: Mapping[str, str]) -> str:
    """'key' = 'value', ... in the order given (TBLPROPERTIES of CREATE and ALTER TABLE)."""
    return ", ".join(f"{sql_string(k)} = {sql_string(v)}" for k, v in props.items())


def _property_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def table_properties(
    contract: TableContract, capabilities: Capabilities
) -> tuple[dict[str, str], list[str]]:
    props = {
        k: _property_value(v)
        for k, v in contract.properties.items()
        if k not in WRITE_OPTIONS and not isinstance(v, (dict, list))
    }
    skipped = []
    if contract.change_data_feed:
        if capabilities.change_data_feed:
            props["delta.enableChangeDataFeed"] = "true"
        else:
            skipped.append(
                "change_data_feed: skipped, "
                + capabilities.missing("write a table with Change Data Feed on")
                + "; TableReader.changes() computes changes from versions"
            )
    return props, skipped


def create_table_plan(
    contract: TableContract,
    columns: list[Column],
    partitions: list[str],
    location: TableLocation,
    capabilities: Capabilities,
) -> CreatePlan:
    props, skipped = table_properties(contract, capabilities)
    defaults = capabilities.column_defaults and any(c.default_sql for c in columns)
    if defaults:
        props["delta.feature.allowColumnDefaults"] = "supported"
    statements = []
    if location.by_path and capabilities.create_table_at_path:
        target, where = location.sql_ref, ""
    elif location.by_path:
        # Sail needs a name to create a table; a name unique to the path keeps tests apart.
        digest = hashlib.sha1(str(location.path).encode()).hexdigest()[:16]
        statements.append(f"CREATE DATABASE IF NOT EXISTS {DDL_DATABASE}")
        target = f"{DDL_DATABASE}.t_{digest}"
        where = f" LOCATION {sql_string(str(location.path))}"
    else:
        target = location.sql_ref
        # Unity Catalog: a managed table (no LOCATION) unless the contract is EXTERNAL, in a
        # schema that must exist first.
        where = f" LOCATION {sql_string(location.path)}" if location.path else ""
        parts = location.name.split(".") if location.name else []
        if len(parts) >= 2:
            schema = ".".join(quote(p) for p in parts[:-1])
            statements.append(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    clustered = bool(contract.cluster_by) and capabilities.liquid_clustering
    if contract.cluster_by and not clustered:
        skipped.append(
            "cluster_by: skipped, " + capabilities.missing("create a liquid-clustered table")
        )
    sql = (
        f"CREATE TABLE IF NOT EXISTS {target} ("
        + ", ".join(column_ddl(c, defaults) for c in columns)
        + ") USING delta"
    )
    if clustered:  # replaces partitioning (framework partitions too): Delta allows one
        sql += " CLUSTER BY (" + ", ".join(quote(c) for c in contract.cluster_by) + ")"
    elif partitions:
        sql += " PARTITIONED BY (" + ", ".join(quote(p) for p in partitions) + ")"
    sql += where
    comment = contract.comment or contract.description
    if comment:
        sql += f" COMMENT {sql_string(comment)}"
    if props:
        sql += f" TBLPROPERTIES ({property_list(dict(sorted(props.items())))})"
    statements.append(sql)
    return CreatePlan(statements, props, skipped)
