"""What an asset function returns for the IO manager to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


@dataclass
class TableBatch:
    data: DataFrame
    # Rows that cannot be loaded, with _quarantine_reason: written to <table>_quarantine.
    rejected: DataFrame | None = None
    # Daily partition(s) the batch replaces or merges (bronze and silver); None for gold.
    partitions: list[str] = field(default_factory=list)
    # Facts the asset measured on the way (rows read, null keys...), added to the metadata.
    facts: dict[str, Any] = field(default_factory=dict)
    # How many rows `rejected` holds, when the asset counted them (None: not counted).
    rejected_rows: int | None = None
    # Bronze: append the rows (and rejects) to their partitions instead of replacing them
    # (an available-now run of a streaming contract: assets/bronze_stream.py).
    append: bool = False
