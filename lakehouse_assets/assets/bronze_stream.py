"""Available-now runs of a streaming contract: append only what is new, exactly once.

A run a streaming landing sensor requests (tag APPEND_TAG) reads only the day's manifest
entries (landing files, or Kafka offset ranges: anything a ManifestEntry names) that the
ingest log (ingest/ingest_log.py) does not mark `done`, and appends their rows to the day's
bronze partition. Every other run of a streaming contract (by hand, a backfill, a schedule)
replaces its days with all their entries: the recovery path, as for batch contracts.

The rule that keeps it exactly once: a run records `started` for the entries it writes, writes,
then records `done`. A run that finds an entry `started` and never `done` cannot know whether
that entry's rows reached bronze (the run died between its append and its `done`), so it
replaces the whole day instead of appending, and marks every entry it read `done`. Runs of one
source queue on a lock (io/table_lock.py, `ingest`) from reading the log to recording `done`,
so an entry in flight is never mistaken for a dead one. On object storage there is no such lock
(as for merges): keep one run per source at a time (its Dagster pool, limit 1).

On Databricks (Unity Catalog manifest, no paths.ops needed) there is no ingest log yet: every
run replaces its days, as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.ingest_log import IngestLog
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.table_lock import table_lock

APPEND_TAG = "lakehouse/ingest"  # on a run: "append" asks for an available-now append
APPEND = "append"


@dataclass
class StreamIngest:
    """One run's use of the ingest log, for the partitions it was started for."""

    log: IngestLog
    source: str
    run_id: str
    append: bool  # decided once for the run (prepare), before any entry is read
    recovering: bool = False  # a dead run's entries were found: this run replaces
    pending: list[ManifestEntry] = field(default_factory=list)
    done_paths: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)  # partitions whose entries went via select

    def prepare(self, partitions: list[str]) -> None:
        states = self.log.states(self.source, partitions)
        self.done_paths = {p for p, s in states.items() if "done" in s}
        self.recovering = any("done" not in s for s in states.values())
        self.append = self.append and not self.recovering

    def select(self, partition: str, entries: list[ManifestEntry]) -> list[ManifestEntry]:
        """The entries this run reads (bronze_batch's `select`); `started` is recorded for the
        ones not done yet before anything is written."""
        self.asked.add(partition)
        fresh = [e for e in entries if e.file_path not in self.done_paths]
        self.log.record(fresh, self.run_id, "started")
        self.pending += fresh
        return fresh if self.append else entries

    def bind(self, batch: TableBatch) -> TableBatch:
        """The batch, marked for append. A reader that did not take its entries through
        `select` (every entry of its days read) can only replace, or rows would repeat."""
        append = self.append and set(batch.partitions) <= self.asked
        facts = {**batch.facts, "ingest_mode": "append" if append else "replace"}
        if self.recovering:
            facts["ingest_recovered"] = (
                "an earlier run died between its write and its ingest log record: "
                "this run replaced the day with all of its entries"
            )
        return replace(batch, append=append, facts=facts)

    def done(self) -> None:
        """After the write (and its quarantine) committed."""
        self.log.record(self.pending, self.run_id, "done")
        self.pending = []


def wants_append(tags: Mapping[str, str]) -> bool:
    return tags.get(APPEND_TAG) == APPEND


@contextlib.contextmanager
def stream_ingest(
    project: Project,
    asset: TableAsset,
    capabilities: Capabilities,
    run_id: str,
    tags: Mapping[str, str],
    partitions: list[str],
) -> Iterator[StreamIngest | None]:
    """Held for the whole run (through the write): None for a batch contract or where there
    is no ingest log (Databricks), so the run replaces its days as ever."""
    ingestion = asset.ingestion
    ops = project.environment.paths.get("ops")
    if (
        ingestion is None
        or ingestion.ingest_type != "streaming"
        or capabilities.unity_catalog
        or not ops
        or not partitions
    ):
        yield None
        return
    log = IngestLog(ops)
    # the lock file lies beside the log (table_lock: `.<name>.ingest.lock` in its folder)
    with table_lock(f"{log.path}__{asset.key_string}", "ingest"):
        ingest = StreamIngest(log, asset.key_string, run_id, wants_append(tags))
        ingest.prepare(partitions)
        yield ingest
