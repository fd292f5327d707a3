"""Ingestion contracts (landing -> bronze) and the source files they read."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from lakehouse_assets.contracts.contract_base import ContractModel
from lakehouse_assets.contracts.kafka_source import KafkaSettings
from lakehouse_assets.contracts.source_options import ReadOptions, read_options


class Source(ContractModel):
    format: Literal["json", "csv", "parquet", "avro", "orc", "text", "delta", "kafka"] = "json"
    path: str | None = None
    # Spark's reader options, by Spark's names (contracts/source_options.py says which apply).
    options: dict[str, Any] = Field(default_factory=dict)
    # DKOps' reader schema hint ([{"name", "type"}]): known, so never "unknown field"; the
    # contract's columns are the schema here (contracts/format_rules.py says so, as info).
    schema_hint: list[dict[str, Any]] | None = Field(default=None, alias="schema")
    # DKOps' `source.kafka` block: only with format kafka (contracts/kafka_source.py).
    kafka: KafkaSettings | None = None

    @field_validator("format", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _kafka_block(self) -> Source:
        if self.format == "kafka" and self.kafka is None:
            raise ValueError(
                'format "kafka" needs a "kafka" block: {"topic": "...", '
                '"bootstrap_servers": "host:9092"} (optional: starting_offsets, '
                "sasl_username, sasl_password)"
            )
        if self.format != "kafka" and self.kafka is not None:
            raise ValueError(
                f'a "kafka" block is read only with "format": "kafka", not {self.format!r}: '
                'set "format": "kafka" or remove the block'
            )
        return self

    def read_options(self) -> ReadOptions:
        return read_options(self.format, self.options)


class IngestMetadata(ContractModel):
    add_ingested_at: bool = True
    add_ingested_date: bool = True
    add_source_file: bool = True
    # Fields of a landing record the contract does not declare go to _rescued_data (JSON).
    add_rescued_data: bool = True
    # Kafka sources: _kafka_topic, _kafka_partition, _kafka_offset, _kafka_timestamp, _raw_value.
    add_kafka_metadata: bool = False


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
        if not v.path and v.format != "kafka":  # a topic has no landing folder
            raise ValueError("an ingestion source needs a 'path' to its landing files")
        return v

    @model_validator(mode="after")
    def _kafka_metadata(self) -> IngestionContract:
        if self.metadata.add_kafka_metadata and self.source.format != "kafka":
            raise ValueError(
                "metadata.add_kafka_metadata is for Kafka sources only (source.format is "
                f"{self.source.format!r}): remove it or read a topic"
            )
        return self
