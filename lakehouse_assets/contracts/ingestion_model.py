"""Ingestion contracts (landing -> bronze) and the source files they read."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from lakehouse_assets.contracts.contract_base import ContractModel
from lakehouse_assets.contracts.source_options import ReadOptions, read_options


class Source(ContractModel):
    format: Literal["json", "csv", "parquet", "avro", "orc", "text", "delta"] = "json"
    path: str | None = None
    # Spark's reader options, by Spark's names (contracts/source_options.py says which apply).
    options: dict[str, Any] = Field(default_factory=dict)
    # DKOps' reader schema hint ([{"name", "type"}]): known, so never "unknown field"; the
    # contract's columns are the schema here (contracts/format_rules.py says so, as info).
    schema_hint: list[dict[str, Any]] | None = Field(default=None, alias="schema")

    @field_validator("format", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    def read_options(self) -> ReadOptions:
        return read_options(self.format, self.options)


class IngestMetadata(ContractModel):
    add_ingested_at: bool = True
    add_ingested_date: bool = True
    add_source_file: bool = True
    # Fields of a landing record the contract does not declare go to _rescued_data (JSON).
    add_rescued_data: bool = True


class IngestionContract(ContractModel):
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
    # Streaming only (contracts/stream_trigger.py): DKOps' trigger, and the landing sensor's
    # interval in seconds (default 15 for available_now, 5 for continuous).
    trigger: Literal["available_now", "continuous"] = "available_now"
    trigger_interval_seconds: int | None = Field(default=None, ge=1)

    @field_validator("source")
    @classmethod
    def _needs_path(cls, v: Source) -> Source:
        if not v.path:
            raise ValueError("an ingestion source needs a 'path' to its landing files")
        return v
