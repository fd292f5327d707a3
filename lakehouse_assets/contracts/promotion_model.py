"""Promotion contracts (bronze -> silver). The strategy is a name: which names exist belongs to
the strategies, above contracts; the loader passes them in the validation context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from lakehouse_assets.contracts.contract_base import ContractModel
from lakehouse_assets.contracts.errors import join_words
from lakehouse_assets.contracts.expectations import Expectations
from lakehouse_assets.contracts.identifiers import is_identifier
from lakehouse_assets.contracts.ingestion_model import Source
from lakehouse_assets.contracts.retention import parse_retention
from lakehouse_assets.contracts.sql_expressions import parse_expression

# Validation context key: the strategy names a promotion may use (contracts.loader sets it).
STRATEGIES_CONTEXT = "strategies"


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
    strategy: str
    enabled: bool = True
    source: Source = Field(default_factory=lambda: Source(format="delta"))
    source_contract: str
    destination_contract: str
    merge_keys: list[str]
    # DKOps: a SQL predicate on the bronze rows; rows it rejects are not promoted (counted).
    filter: str | None = None
    # Delta Live Store: SQL expressions that make the silver columns from the bronze row
    # (renames, casts, derived columns); bronze's own framework columns pass through.
    select_expr: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("select_expr", "transform")
    )
    watermark_col: str | None = None
    # One column, or a list ordered as Lakeflow's struct(...): compared field by field.
    sequence_by: str | list[str] | None = None
    op_col: str = "op_type"
    # Op values (I/U/D/INSERT/UPDATE/DELETE) match in any case unless this is true; then only
    # the upper-case spellings are ops and e.g. `d` is quarantined as an unknown op.
    op_case_sensitive: bool = False
    # Lakeflow AUTO CDC's apply_as_deletes: a SQL boolean over the source row that says which
    # change rows are deletes (cdc_merge, scd2); replaces the op-value test (D/DELETE).
    apply_as_deletes: str | None = None
    # Lakeflow AUTO CDC's apply_as_truncates: a SQL boolean over the source row marking
    # truncate events (cdc_merge only): every row whose order value is not newer is removed.
    apply_as_truncates: str | None = None
    # Lakeflow AUTO CDC's ignore_null_updates (cdc_merge, scd2): a NULL in an update keeps the
    # stored value, for every column, or for the listed ones, or for all but the listed ones
    # (at most one of the three; strategies/column_options.py checks and resolves them).
    ignore_null_updates: bool = False
    ignore_null_updates_column_list: list[str] | None = None
    ignore_null_updates_except_column_list: list[str] | None = None
    # Lakeflow's track_history_column_list / _except_ (scd2): a change only in the other
    # columns updates the version in place instead of opening a new one.
    track_history_column_list: list[str] | None = None
    track_history_except_column_list: list[str] | None = None
    # Lakeflow's column_list / except_column_list (cdc_merge, scd2): which source columns silver
    # stores. The silver contract's columns decide that here; these must agree with it.
    column_list: list[str] | None = None
    except_column_list: list[str] | None = None
    scd2: Scd2Columns = Field(default_factory=Scd2Columns)
    # Lakeflow's create_auto_cdc_from_snapshot_flow for scd2: each bronze partition of a
    # `load_type: full` ingestion is a snapshot; versions open and close at snapshot dates.
    from_snapshot: bool = False
    # How long cdc_merge remembers a hard delete (`<table>_tombstones`), e.g. "7 days": after
    # that, a replayed older insert of the key comes back (io/tombstone_purge.py). None: forever.
    tombstone_retention: str | None = None
    # Add columns the silver contract gained to the existing table (else an error names them).
    merge_schema: bool = False
    metadata: PromotionMetadata = Field(default_factory=PromotionMetadata)
    expectations: Expectations = None
    is_quarantined: bool = False
    schedule: str | None = None
    automation: Literal["eager", "on_cron", "none"] = "eager"
    automation_lookback_days: int | None = Field(
        default=None,
        ge=0,
        description=(
            "automation eager: only a bronze update of a day at most this many days before "
            "today re-runs that silver day (0: today only); unset: any day"
        ),
    )

    @field_validator("strategy", mode="before")
    @classmethod
    def _known_strategy(cls, v: Any, info: ValidationInfo) -> Any:
        """Reported the way pydantic reports a Literal, so the issue reads as it always has."""
        known: Sequence[str] | None = (info.context or {}).get(STRATEGIES_CONTEXT)
        if known is not None and v not in known:
            raise PydanticCustomError(
                "literal_error",
                "Input should be {expected}",
                {"expected": join_words([repr(n) for n in known])},
            )
        return v

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

    @field_validator("apply_as_deletes")
    @classmethod
    def _deletes(cls, v: str | None) -> str | None:
        if v is not None:
            parse_expression(v, "apply_as_deletes")
        return v

    @field_validator("tombstone_retention")
    @classmethod
    def _retention(cls, v: str | None) -> str | None:
        if v is not None:
            parse_retention(v, "tombstone_retention")
        return v

    @field_validator("apply_as_truncates")
    @classmethod
    def _truncates(cls, v: str | None) -> str | None:
        if v is not None:
            parse_expression(v, "apply_as_truncates")
        return v

    @field_validator("sequence_by")
    @classmethod
    def _sequence(cls, v: str | list[str] | None) -> str | list[str] | None:
        if not isinstance(v, list):
            return v
        if not v:
            raise ValueError("sequence_by needs at least one column (or one column name)")
        bad = [c for c in v if not is_identifier(c)]
        if bad:
            raise ValueError(f"bad identifiers {bad}: use letters, digits and _ only")
        twice = sorted({c for c in v if v.count(c) > 1})
        if twice:
            raise ValueError(f"columns {twice} appear more than once: name each column once")
        return v

    @field_validator("select_expr")
    @classmethod
    def _select(cls, v: list[str]) -> list[str]:
        for i, text in enumerate(v):
            parse_expression(text, f"select_expr[{i}]")
        return v

    @property
    def order_col(self) -> str | None:
        """The column that orders events of one key: sequence_by, else watermark_col (with
        several sequence_by columns, the first: `order_cols` has them all)."""
        return self.order_cols[0] if self.order_cols else None

    @property
    def order_cols(self) -> list[str]:
        """Every column of the order, compared field by field (sequence_by's list)."""
        if isinstance(self.sequence_by, list):
            return list(self.sequence_by)
        order = self.sequence_by or self.watermark_col
        return [order] if order else []
