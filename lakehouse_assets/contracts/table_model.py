"""Table contracts: a table's columns, layout, properties and, for gold, the SQL that builds it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from lakehouse_assets.contracts.contract_base import ContractModel
from lakehouse_assets.contracts.expectations import Expectations
from lakehouse_assets.contracts.framework_columns import BRONZE_COLUMNS
from lakehouse_assets.contracts.identifiers import is_identifier
from lakehouse_assets.contracts.sql_expressions import default_sql
from lakehouse_assets.contracts.types import normalize_type


class Column(ContractModel):
    name: str
    type: str
    nullable: bool = True
    comment: str | None = None
    mask: str | None = None
    default: Any = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not is_identifier(v):
            raise ValueError(f"bad identifier {v!r}: use letters, digits and _ only")
        return v

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        return normalize_type(v)

    @field_validator("default")
    @classmethod
    def _default(cls, v: Any) -> Any:
        default_sql(v)  # raises, naming the fix, for what is not a constant SQL expression
        return v

    @property
    def default_sql(self) -> str | None:
        """The default as Spark SQL (DKOps: a SQL expression string, or a JSON literal)."""
        return default_sql(self.default)


class TableContract(ContractModel):
    catalog: str = ""
    schema_: str = Field(alias="schema")
    name: str
    type: Literal["MANAGED", "EXTERNAL"] = "MANAGED"
    format: Literal["DELTA", "delta"] = "DELTA"
    location: str | None = None
    columns: list[Column]
    partitions: list[str] = Field(default_factory=list)
    # Liquid clustering (CREATE TABLE ... CLUSTER BY): the DKOps format has no word for it, so
    # this extension names the columns; it replaces `partitions` (Delta allows one of them).
    cluster_by: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)
    comment: str | None = None
    # Checked by lakehouse_assets.security.permissions, which names each entry's mistakes.
    permissions: list[Any] | dict[str, Any] = Field(default_factory=list)
    # Gold tables: the Spark SQL that builds them, inline or in a file beside the contract.
    sql: str | None = None
    sql_file: str | None = None
    # Data quality rules (DLT semantics); interpreted by lakehouse_assets.checks.
    expectations: Expectations = None
    # Delta Live Store: rows failing any rule (warn ones too) go to <table>_quarantine.
    is_quarantined: bool = False
    # Gold tables: when to rebuild (eager: after any upstream update; on_cron: on `schedule`).
    automation: Literal["eager", "on_cron", "none"] = "eager"
    schedule: str | None = None

    @field_validator("schema_", "name")
    @classmethod
    def _ident(cls, v: str) -> str:
        if not is_identifier(v):
            raise ValueError(f"bad identifier {v!r}: use letters, digits and _ only")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> TableContract:
        names = [c.name for c in self.columns]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate column names {dupes}: each column once")
        missing = [p for p in self.partitions if p not in names and p not in BRONZE_COLUMNS]
        if missing:
            raise ValueError(f"partition columns {missing} are not in columns {names}")
        unknown = [c for c in self.cluster_by if c not in names and c not in BRONZE_COLUMNS]
        if unknown:
            raise ValueError(
                f"cluster_by columns {unknown} are not in columns {names}: liquid clustering "
                "needs columns of the table"
            )
        if self.cluster_by and self.partitions:
            raise ValueError(
                "give either 'partitions' or 'cluster_by', not both: a Delta table is "
                "partitioned or liquid-clustered"
            )
        if self.type == "EXTERNAL" and not self.location:
            raise ValueError("an EXTERNAL table needs a 'location'")
        if self.sql and self.sql_file:
            raise ValueError("give either 'sql' or 'sql_file', not both")
        return self

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def merge_schema(self) -> bool:
        return bool(self.properties.get("merge_schema", False))

    @property
    def change_data_feed(self) -> bool:
        return bool(self.properties.get("change_data_feed", False))

    @property
    def has_sql(self) -> bool:
        return bool(self.sql or self.sql_file)
