"""Writing a DataFrame to a table location: the one place that calls DataFrameWriter.

A write that loses its Delta commit to a concurrent writer of the same table runs again, as
Delta asks of a transaction that lost a conflict. Sail 0.7 makes one commit attempt for an
overwrite (`replaceWhere` included; measured: 8 threads or 8 processes replacing 8 different
`_ingested_date` partitions of one table at once, 6-7 of them fail) and reports the loss as
`SparkRuntimeException: Failed to commit transaction: 0` (delta-rs's MaxCommitAttempts with its
retry budget, 0; `Failed to commit transaction: <conflict>` for its conflict checker's verdicts).
Delta on Spark and Databricks name theirs `DELTA_CONCURRENT_*`, delta-rs `CommitFailedError`.
Only those are retried: the lost commit wrote nothing to the log, so running the whole write
again (the batch recomputed against the new snapshot) is exact for every mode. Any other error
is raised at once.

Why retries and not (only) a Dagster concurrency pool per table: a pool limits nothing unless
the instance configures its limits, it would serialize whole runs (parsing and checks too) where
only the commit conflicts, and it cannot see writers outside this Dagster instance (another code
location, a notebook, `lakehouse demo`). Retrying at the commit covers all of them.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from lakehouse_assets.tables.location import TableLocation

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

ATTEMPTS = 6  # tries of a write whose commit is lost to concurrent writers of the table
# Sail's (delta-rs's) TransactionError, after the condition pyspark may print before it
LOST_COMMIT_MESSAGE = re.compile(r"^(\[[\w.]*\] )?Failed to commit transaction:")
LOST_COMMIT_CONDITION = "DELTA_CONCURRENT_"  # delta-spark / Databricks conflict conditions
# Sail, writing to (or creating) a table another writer is creating that very moment: it reads
# the half-made table's partition folders (`_ingested_date=...` as text) before its first
# commit is visible. Once that commit lands the same write succeeds (measured: the 8-process
# test failed 2 runs in 6 before this was retried).
CREATION_RACE = re.compile(r"with a different schema for field .*: existing Utf8")
T = TypeVar("T")


def write(
    df: DataFrame,
    location: TableLocation,
    mode: str,
    replace_where: str | None = None,
    merge_schema: bool = False,
    partition_by: list[str] | None = None,
) -> int:
    """Write the frame, again if a concurrent writer took the commit; returns the attempts."""

    def once() -> None:
        writer = df.write.format("delta").mode(mode)
        if replace_where:
            writer = writer.option("replaceWhere", replace_where)
        if merge_schema:
            writer = writer.option("mergeSchema", "true")
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        if location.by_path:
            writer.save(location.path)
        else:
            assert location.name is not None  # a table without a path has a catalog name
            writer.saveAsTable(location.name)

    return retry_lost_commits(once, location.label)[1]


def retry_lost_commits(action: Callable[[], T], label: str) -> tuple[T, int]:
    """Run action; when it loses its commit, wait a jittered, growing moment and run it again
    (up to ATTEMPTS). Returns its result and the attempts it took."""
    attempt = 1
    while True:
        try:
            return action(), attempt
        except Exception as exc:
            if not lost_commit(exc):
                raise
            if attempt == ATTEMPTS:
                raise RuntimeError(
                    f"{label}: {ATTEMPTS} attempts to commit lost to concurrent writers of the "
                    f"same table; run it again once they finish: {exc}"
                ) from exc
        backoff(attempt)
        attempt += 1


def lost_commit(exc: BaseException) -> bool:
    """The engine (or delta-rs, for user assets' writes: io/user_write.py) refused the commit
    because another writer committed first."""
    from deltalake.exceptions import CommitFailedError
    from pyspark.errors import PySparkException

    if isinstance(exc, CommitFailedError):
        return True
    if not isinstance(exc, PySparkException):
        return False
    condition = exc.getCondition() or ""
    return (
        condition.startswith(LOST_COMMIT_CONDITION)
        or LOST_COMMIT_MESSAGE.match(str(exc)) is not None
        or CREATION_RACE.search(str(exc)) is not None
    )


def backoff(attempt: int) -> None:
    """Jittered and growing, so writers that collided commit apart the next time."""
    time.sleep(random.uniform(0.1, 0.4) * 2 ** (attempt - 1))
