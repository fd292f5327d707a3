"""What a materialization hands the Delta IO manager: the judged batch together with the
table it is bound for, so the IO manager looks nothing up. The write's facts come back on the
same object, for the checks the materialization runs after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.project import TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.writer import write_batch
from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class TableWrite:
    asset: TableAsset
    location: TableLocation
    batch: TableBatch
    run_id: str
    spark: SparkSession
    capabilities: Capabilities
    facts: dict[str, Any] | None = None  # set by execute()

    def execute(self) -> dict[str, Any]:
        self.facts = write_batch(
            self.spark, self.capabilities, self.asset, self.location, self.batch, self.run_id
        )
        return self.facts

    def written(self) -> dict[str, Any]:
        if self.facts is None:
            raise RuntimeError(
                f"{self.asset.key_string}: the batch was not written; the asset's "
                "io_manager_key must name the Delta IO manager"
            )
        return self.facts
