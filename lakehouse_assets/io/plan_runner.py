"""Execute a merge plan's steps in order: SQL statements, and Stages computed into views."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse_assets.strategies.base import MergePlan, Stage

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def run_plan(spark: SparkSession, plan: MergePlan, scratch: Path | None = None) -> None:
    """A Stage becomes a temp view: over a Delta copy written under `scratch` when given (the
    key-slice executor, on Sail), else a plain view the engine's optimizer plans as it likes."""
    views: list[str] = []
    try:
        for step in plan.statements:
            if not isinstance(step, Stage):
                spark.sql(step).collect()
                continue
            df = spark.sql(step.select)
            if scratch is not None:
                path = str(scratch / step.name)
                df.write.format("delta").save(path)
                df = spark.read.format("delta").load(path)
            df.createOrReplaceTempView(step.name)
            views.append(step.name)
    finally:
        for view in views:
            spark.catalog.dropTempView(view)
