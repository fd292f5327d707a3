"""Kafka offsets in the file manifest: exactly once into bronze, as files are.

A range of one topic-partition is a manifest entry whose file_path is
`kafka://<topic>/<partition>/<start>-<end>` (end exclusive), size = end - start, partition = the
UTC day it was recorded. A new range runs from the end of the partition's last range (or from
`starting_offsets`) to its high watermark at recording time, so ranges never overlap and never
move: a bronze run of day P reads exactly P's ranges, and its re-run reads the same offsets.
Recording is serialized per manifest (a lock beside it), so two recorders cannot both cut a
range from the same end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from lakehouse_assets.contracts.kafka_source import EARLIEST, LATEST, KafkaSettings
from lakehouse_assets.ingest.assignment import Manifest
from lakehouse_assets.ingest.landing import LandingFile
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.io.table_lock import table_lock

SCHEME = "kafka://"
_RANGE = re.compile(r"^kafka://(?P<topic>[^/]+)/(?P<partition>\d+)/(?P<start>\d+)-(?P<end>\d+)$")

# (topic, partition) -> (low, high) watermarks, as the broker reports them now.
Watermarks = dict[tuple[str, int], tuple[int, int]]


@dataclass(frozen=True, order=True)
class OffsetRange:
    topic: str
    partition: int
    start: int
    end: int  # exclusive

    @property
    def path(self) -> str:
        return f"{SCHEME}{self.topic}/{self.partition}/{self.start}-{self.end}"


def parse_range(path: str) -> OffsetRange | None:
    """The range a manifest path names; None for a landing file's path."""
    match = _RANGE.match(path)
    if match is None:
        return None
    return OffsetRange(
        match["topic"], int(match["partition"]), int(match["start"]), int(match["end"])
    )


def ranges_of(entries: list[ManifestEntry]) -> list[OffsetRange]:
    """The offset ranges among manifest entries, in (topic, partition, start) order: what a
    bronze run (or an append-only streaming run over not-yet-ingested entries) reads."""
    return sorted(r for e in entries if (r := parse_range(e.file_path)) is not None)


def next_ranges(
    settings: KafkaSettings, known: list[ManifestEntry], marks: Watermarks
) -> list[OffsetRange]:
    """For each topic-partition whose high watermark passed the end of its last recorded range
    (or its starting offset, when none is recorded), the range up to that watermark. A start
    below the low watermark (retention removed those offsets before they were recorded) starts
    at the low watermark: those messages cannot be read by anyone any more."""
    ends: dict[tuple[str, int], int] = {}
    for r in ranges_of(known):
        ends[(r.topic, r.partition)] = max(ends.get((r.topic, r.partition), 0), r.end)
    fresh = []
    for (topic, partition), (low, high) in sorted(marks.items()):
        start = ends.get((topic, partition))
        if start is None:
            wanted = settings.start_of(topic, partition)
            start = low if wanted == EARLIEST else high if wanted == LATEST else wanted
        start = max(start, low)
        if high > start:
            fresh.append(OffsetRange(topic, partition, start, high))
    return fresh


def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


def record_new_ranges(
    manifest: Manifest,
    source: str,
    settings: KafkaSettings,
    watermarks: Callable[[], Watermarks],
    by: str,
    partition: str,
) -> tuple[list[ManifestEntry], dict[str, ManifestEntry]]:
    """Record the ranges up to the current high watermarks in `partition`; returns (new
    entries, prior entries), as assign_new_files does for landing files."""
    with table_lock(getattr(manifest, "path", None), "merge"):  # None: no lock (UC)
        known = manifest.entries(source)
        fresh = next_ranges(settings, list(known.values()), watermarks())
        now = datetime.now(timezone.utc).timestamp()
        files = [LandingFile(r.path, r.end - r.start, now) for r in fresh]
        new = manifest.assign(source, files, {f.path: partition for f in files}, by, known=known)
    return new, known
