"""Promotion contracts (bronze -> silver)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, field_validator

from lakehouse_assets.contracts.contract_base import ContractModel
from lakehouse_assets.contracts.expectations import Expectations
from lakehouse_assets.contracts.identifiers import is_identifier
from lakehouse_assets.contracts.ingestion_model import Source
from lakehouse_assets.contracts.sql_expressions import parse_expression

Strategy = Literal["full_merge", "cdc_merge", "incremental_replace", "append_dedup", "scd2", "scd1"]
STRATEGIES: tuple[str, ...] = Strategy.__args__  # type: ignore[attr-defined]


class PromotionMetadata(ContractModel):
    add_silver_timestamps: bool = True


class Scd2Columns(ContractModel):
    valid_from: str = "valid_from"
    valid_to: str = "valid_to"
    is_current: str = "is_current"


class PromotionContract(ContractModel):
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
