"""What the parse of landing files works on: one source's read spec, and the working columns
its judged rows carry between reading, judging and quarantine."""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse_assets.contracts.framework_columns import (
    BRONZE_COLUMNS,
    QUARANTINE_REASON,
    SOURCE_FILE,
)
from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import Column
from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.tables.physical import FrameworkColumn

FILE, REASON = SOURCE_FILE, QUARANTINE_REASON
RESCUED = "_rescued"  # the record's fields the contract does not declare, as JSON
RECORD_OK = "_record_ok"  # the record parsed: only then are its values judged one by one


@dataclass(frozen=True)
class LandingRead:
    """What the parse of one landing file (or of several read together) works on."""

    columns: list[Column]  # the contract's data columns (framework columns excluded)
    framework: dict[str, FrameworkColumn]  # the table's framework columns, by name
    options: ReadOptions
    fmt: str


def data_columns(columns: list[Column]) -> list[Column]:
    return [c for c in columns if c.name not in BRONZE_COLUMNS]


def text_schema(columns: list[Column]) -> str:
    """A DDL schema reading every column as text: values are typed by the judge, not the reader."""
    return ", ".join(f"{quote(c.name)} STRING" for c in columns)


def typed_column(index: int) -> str:
    """The judged rows' name for the typed value of data column `index` (the column's own
    name holds its text, for quarantine)."""
    return f"_v{index}"


def quote_any(name: str) -> str:
    """A file's own column name for the DataFrame API (any characters, back-quoted)."""
    return "`" + name.replace("`", "``") + "`"
