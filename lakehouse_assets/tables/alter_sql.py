"""The statements that change a live table, spelled once: the migration plan shows them
(`lakehouse plan --sql`) and the Spark SQL table-ops adapter runs them."""

from __future__ import annotations

from collections.abc import Mapping

from lakehouse_assets.contracts.identifiers import quote, sql_string
from lakehouse_assets.contracts.models import Column
from lakehouse_assets.tables.ddl import column_ddl, property_list


def add_columns_sql(ref: str, columns: list[Column]) -> str:
    """Added as nullable, whatever the contract says: existing rows have no value."""
    nullable = [c.model_copy(update={"nullable": True}) for c in columns]
    return f"ALTER TABLE {ref} ADD COLUMNS ({', '.join(column_ddl(c) for c in nullable)})"


def column_comment_sql(ref: str, column: str, comment: str) -> str:
    return f"ALTER TABLE {ref} ALTER COLUMN {quote(column)} COMMENT {sql_string(comment)}"


def table_comment_sql(ref: str, comment: str) -> str:
    return f"COMMENT ON TABLE {ref} IS {sql_string(comment)}"


def set_properties_sql(ref: str, props: Mapping[str, str]) -> str:
    """The properties in the order given."""
    return f"ALTER TABLE {ref} SET TBLPROPERTIES ({property_list(props)})"


def drop_not_null_sql(ref: str, column: str) -> str:
    return f"ALTER TABLE {ref} ALTER COLUMN {quote(column)} DROP NOT NULL"


def widen_type_sql(ref: str, column: str, new_type: str) -> str:
    return f"ALTER TABLE {ref} ALTER COLUMN {quote(column)} TYPE {new_type}"
