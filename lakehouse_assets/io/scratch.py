"""A DataFrame computed once per run: written as Parquet under the run's scratch folder and
read back, so the steps after it (quarantine, rules, counts, the write) read that copy rather
than computing the plan again (a landing parse, a window dedup) each time."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def computed_once(df: DataFrame, scratch: Path, name: str) -> DataFrame:
    path = str(scratch / f"{name}_{uuid.uuid4().hex[:12]}")
    df.write.parquet(path)
    # With the schema: an empty frame writes no data file, and a schema inferred from none
    # has no columns (a silver day whose bronze partition is empty then failed its merge).
    return df.sparkSession.read.schema(df.schema).parquet(path)
