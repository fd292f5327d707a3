"""Landing files listed through the session: Databricks SQL `LIST '<path>'` on /Volumes/... or
cloud paths, recursively, as the same LandingFile objects as the local listing.

In databricks mode the Dagster host may be outside the workspace: only the session sees the
files. `LIST` is not recursive and returns path, name, size and modification_time (ms since
the epoch); a folder's name ends with '/'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.contracts.identifiers import sql_string
from lakehouse_assets.ingest.landing import LandingFile

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# How Databricks (and Spark) say a path does not exist: nothing has landed yet, not an error.
NOT_FOUND = ("PATH_NOT_FOUND", "FileNotFoundException", "does not exist")


def list_files_in_session(spark: SparkSession, root: str) -> list[LandingFile]:
    """Every data file below root; hidden and _-prefixed files (_SUCCESS, .crc) are not data."""
    found: list[LandingFile] = []
    stack = [root.rstrip("/")]
    while stack:
        folder = stack.pop()
        try:
            rows = spark.sql(f"LIST {sql_string(folder + '/')}").collect()
        except Exception as exc:
            if any(marker in str(exc) for marker in NOT_FOUND):
                continue
            raise
        for row in rows:
            name = str(row["name"])
            if name.startswith((".", "_")):
                continue
            if name.endswith("/"):
                stack.append(str(row["path"]).rstrip("/"))
            else:
                mtime = int(row["modification_time"]) / 1000.0
                found.append(LandingFile(str(row["path"]), int(row["size"]), mtime))
    return sorted(found, key=lambda f: f.path)
