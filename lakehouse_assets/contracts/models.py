"""Pydantic models of the DKOps contract format (table, ingestion, promotion) plus our fields.

Unknown fields are kept, not rejected: the loader turns them into warnings that name the file
and the field, so teams can keep their own annotations next to ours.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from lakehouse_assets.contracts.cron import cron_problem
from lakehouse_assets.contracts.expectations import Expectations
from lakehouse_assets.contracts.framework_columns import BRONZE_COLUMNS
from lakehouse_assets.contracts.identifiers import is_identifier
from lakehouse_assets.contracts.source_options import ReadOptions, read_options
from lakehouse_assets.contracts.sql_expressions import default_sql, parse_expression
from lakehouse_assets.contracts.types import normalize_type

# Fields of the seed's format that describe rather than configure; accepted on every model.
DESCRIPTIVE_FIELDS = frozenset(
    {"_doc", "_comment", "description", "comment", "owner", "owners", "tags", "version",
     "domain", "notes", "$schema"}
)  # fmt: skip

Strategy = Literal["full_merge", "cdc_merge", "incremental_replace", "append_dedup", "scd2", "scd1"]
STRATEGIES: tuple[str, ...] = Strategy.__args__  # type: ignore[attr-defined]


class _Contract(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @field_validator("schedule", check_fields=False)
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        problem = cron_problem(v) if v is not None else None
        if problem:
            raise ValueError(f"{problem}; e.g. \"0 6 * * *\" (every day at 06:00)")
        return v

    doc: str | None = Field(default=None, alias="_doc")
    description: str | None = None
    owner: str | None = None
    owners: list[str] = Field(default_factory=list)
    tags: dict[str, str] | list[str] = Field(default_factory=dict)

    def unknown_fields(self) -> list[str]:
        return sorted(k for k in (self.model_extra or {}) if k not in DESCRIPTIVE_FIELDS)

    def all_owners(self) -> list[str]:
        return ([self.owner] if self.owner else []) + list(self.owners)

    def tag_dict(self) -> dict[str, str]:
        if isinstance(self.tags, list):
            return {t: "" for t in self.tags}
        return {k: str(v) for k, v in self.tags.items()}


class Column(_Contract):
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


class TableContract(_Contract):
    catalog: str = ""
    schema_: str = Field(alias="schema")
    name: str
    type: Literal["MANAGED", "EXTERNAL"] = "MANAGED"
    format: Literal["DELTA", "delta"] = "DELTA"
    location: str | None = None
    columns: list[Column]
    partitions: list[str] = Field(default_factory=list)
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
        missing = [p for p in self.partitions
                   if p not in names and p not in BRONZE_COLUMNS]
        if missing:
            raise ValueError(f"partition columns {missing} are not in columns {names}")
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


class Source(_Contract):
    format: Literal["json", "csv", "parquet", "avro", "orc", "text", "delta"] = "json"
    path: str | None = None
    # Spark's reader options, by Spark's names (contracts/source_options.py says which apply).
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("format", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    def read_options(self) -> ReadOptions:
        return read_options(self.format, self.options)


class IngestMetadata(_Contract):
    add_ingested_at: bool = True
    add_ingested_date: bool = True
    add_source_file: bool = True
    # Fields of a landing record the contract does not declare go to _rescued_data (JSON).
    add_rescued_data: bool = True


class IngestionContract(_Contract):
    """Landing -> bronze."""

    name: str
    ingest_type: Literal["batch", "streaming"] = "batch"
    load_type: Literal["incremental", "full", "cdc", "streaming"] = "incremental"
    enabled: bool = True
    source: Source
    destination_contract: str
    metadata: IngestMetadata = Field(default_factory=IngestMetadata)
    # Take a file's partition from a date in its path (dt=YYYY-MM-DD or YYYY/MM/DD).
    partition_from_path: bool = True
    schedule: str | None = None

    @field_validator("source")
    @classmethod
    def _needs_path(cls, v: Source) -> Source:
        if not v.path:
            raise ValueError("an ingestion source needs a 'path' to its landing files")
        return v


class PromotionMetadata(_Contract):
    add_silver_timestamps: bool = True


class Scd2Columns(_Contract):
    valid_from: str = "valid_from"
    valid_to: str = "valid_to"
    is_current: str = "is_current"


class PromotionContract(_Contract):
    """Bronze -> silver."""

    name: str
    ingest_type: Literal["batch", "streaming"] = "batch"
    strategy: Strategy
    enabled: bool = True
    source: Source = Field(default_factory=lambda: Source(format="delta"))
    source_contract: str
    destination_contract: str
    merge_keys: list[str]
    # DKOps: a SQL predicate on the bronze rows; rows it rejects are not promoted (counted).
    filter: str | None = None
    # Delta Live Store: SQL expressions that make the silver columns from the bronze row
    # (renames, casts, derived columns); bronze's own framework columns pass through.
    select_expr: list[str] = Field(default_factory=list,
                                   validation_alias=AliasChoices("select_expr", "transform"))
    watermark_col: str | None = None
    sequence_by: str | None = None
    op_col: str = "op_type"
    scd2: Scd2Columns = Field(default_factory=Scd2Columns)
    # Add columns the silver contract gained to the existing table (else an error names them).
    merge_schema: bool = False
    metadata: PromotionMetadata = Field(default_factory=PromotionMetadata)
    expectations: Expectations = None
    is_quarantined: bool = False
    schedule: str | None = None
    automation: Literal["eager", "on_cron", "none"] = "eager"

    @field_validator("merge_keys")
    @classmethod
    def _keys(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("merge_keys needs at least one column")
        bad = [k for k in v if not is_identifier(k)]
        if bad:
            raise ValueError(f"bad identifiers {bad}: use letters, digits and _ only")
        return v

    @field_validator("filter")
    @classmethod
    def _filter(cls, v: str | None) -> str | None:
        if v is not None:
            parse_expression(v, "filter")
        return v

    @field_validator("select_expr")
    @classmethod
    def _select(cls, v: list[str]) -> list[str]:
        for i, text in enumerate(v):
            parse_expression(text, f"select_expr[{i}]")
        return v

    @property
    def order_col(self) -> str | None:
        """The column that orders events of one key: sequence_by, else watermark_col."""
        return self.sequence_by or self.watermark_col
