"""Pydantic models of the DKOps contract format (table, ingestion, promotion) plus our fields,
one module per contract kind; imported from here."""

from lakehouse_assets.contracts.contract_base import DESCRIPTIVE_FIELDS, ContractModel
from lakehouse_assets.contracts.ingestion_model import IngestionContract, IngestMetadata, Source
from lakehouse_assets.contracts.promotion_model import (
    STRATEGIES_CONTEXT,
    PromotionContract,
    PromotionMetadata,
    Scd2Columns,
)
from lakehouse_assets.contracts.table_model import Column, TableContract

__all__ = [
    "DESCRIPTIVE_FIELDS",
    "STRATEGIES_CONTEXT",
    "Column",
    "ContractModel",
    "IngestMetadata",
    "IngestionContract",
    "PromotionContract",
    "PromotionMetadata",
    "Scd2Columns",
    "Source",
    "TableContract",
]
