"""The governance API, usable outside Dagster with the same engine resource: TableWriter and
TableReader, named as in DKOps' table_governance so its users feel at home."""

from lakehouse_assets.governance.handle import GovernedTable, open_table
from lakehouse_assets.governance.reader import TableReader
from lakehouse_assets.governance.writer import TableWriter

__all__ = ["GovernedTable", "TableReader", "TableWriter", "open_table"]
